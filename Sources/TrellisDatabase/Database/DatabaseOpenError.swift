/// Why a database could not be opened: an unusable URL, or a file SQLite cannot open.
public struct DatabaseOpenError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// The URL is not `sqlite:PATH`.
        case invalidURL = "invalid_database_url"
        /// The URL names a database Trellis cannot drive yet (PostgreSQL).
        case unsupported = "unsupported_database"
        /// The file or its directory cannot be created, opened or written.
        case cannotOpen = "cannot_open_database"
    }

    public let code: Code
    /// The URL or file path that failed.
    public let location: String
    public let message: String

    public init(code: Code, location: String, message: String) {
        self.code = code
        self.location = location
        self.message = message
    }

    public var description: String { message }

    static func cannotOpen(_ path: String, _ reason: String) -> DatabaseOpenError {
        DatabaseOpenError(
            code: .cannotOpen, location: path,
            message: "cannot open the database at \(path): \(reason); check that the directory exists and is writable")
    }
}
