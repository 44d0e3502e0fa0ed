/// Where the database is, as the `database` key of `trellis.yaml` gives it.
///
/// ```swift
/// try DatabaseLocation(url: "sqlite:app.db", dataDirectory: "/var/lib/app")   // .sqlite(path: "/var/lib/app/app.db")
/// try DatabaseLocation(url: "sqlite:/srv/app.db", dataDirectory: "ignored")   // .sqlite(path: "/srv/app.db")
/// try DatabaseLocation(url: "postgres://db/app", dataDirectory: "…")          // throws: not supported yet
/// ```
public enum DatabaseLocation: Sendable, Hashable {
    /// An SQLite file at an absolute path.
    case sqlite(path: String)

    /// The URL used when `trellis.yaml` names no database: a file in the data directory.
    public static let defaultURL = "sqlite:trellis.db"

    /// Parses `sqlite:PATH`; a relative `PATH` is resolved against `dataDirectory`.
    ///
    /// - Throws: ``DatabaseOpenError`` with code `unsupported` for a PostgreSQL URL (the same
    ///   key will accept it once a PostgreSQL driver exists), `invalidURL` for anything else.
    public init(url: String, dataDirectory: String) throws(DatabaseOpenError) {
        let lowered = url.lowercased()
        if lowered.hasPrefix("postgres://") || lowered.hasPrefix("postgresql://") {
            throw DatabaseOpenError(
                code: .unsupported, location: url,
                message: "PostgreSQL is not supported yet: '\(url)' cannot be opened; use sqlite:PATH for now")
        }
        guard lowered.hasPrefix("sqlite:") else {
            throw DatabaseOpenError(
                code: .invalidURL, location: url, message: "'\(url)' is not a database URL Trellis understands; use sqlite:PATH")
        }
        let path = String(url.dropFirst("sqlite:".count))
        guard !path.isEmpty else {
            throw DatabaseOpenError(code: .invalidURL, location: url, message: "'\(url)' names no file; use sqlite:PATH")
        }
        guard path != ":memory:" else {
            throw DatabaseOpenError(
                code: .invalidURL, location: url,
                message: "'\(url)' asks for an in-memory database, which cannot be shared between connections; use sqlite:PATH with a file")
        }
        self = .sqlite(path: Self.resolve(path, against: dataDirectory))
    }

    /// `path` made absolute against `directory`, with `.` and `..` components removed.
    static func resolve(_ path: String, against directory: String) -> String {
        let joined = path.hasPrefix("/") ? path : directory + "/" + path
        let absolute = joined.hasPrefix("/") ? joined : FileSystem.currentDirectory() + "/" + joined
        var components: [Substring] = []
        for component in absolute.split(separator: "/") {
            switch component {
            case ".": continue
            case "..": _ = components.popLast()
            default: components.append(component)
            }
        }
        return "/" + components.joined(separator: "/")
    }
}
