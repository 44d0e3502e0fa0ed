internal import Foundation
internal import GRDB

/// An open SQLite database file (WAL mode, foreign keys on, a busy timeout), shared by the
/// document store, the config store and the `database` system.
///
/// ```swift
/// let database = try SQLiteDatabase(url: "sqlite:trellis.db", dataDirectory: "./trellis-data")
/// let kernel = try Kernel(
///     systems: [DatabaseSystem(database: database), …], file: file,
///     store: SQLiteConfigStore(database: database))
/// ```
///
/// - Important: The composition root owns it: open it before the kernel exists (the kernel's
///   config versions live in it) and ``close()`` it after the kernel has stopped. The
///   `database` system's `stop` leaves it open.
public final class SQLiteDatabase: Sendable {
    /// The absolute path of the database file.
    public let path: String
    /// GRDB's pool: one writer connection and a few readers, which WAL lets read while it
    /// writes. Writes, migrations and the config store go through it.
    let pool: DatabasePool
    /// Read-only connections on threads of their own, for the document reads: see ``read(_:)``.
    let readers: ReaderPool<DatabaseQueue>
    /// Read-only connections for point reads on the caller's thread: see ``readPoint(_:)``.
    let inlineReaders: InlineReaders
    let busyHandler: BusyTimeout

    public static let defaultBusyTimeout: Duration = .milliseconds(5000)

    /// How many document reads run at once: one per core, at least 2 and at most 4.
    public static let defaultReaderCount = min(max(ProcessInfo.processInfo.activeProcessorCount, 2), 4)

    /// Opens (creating it and its directory if needed) the SQLite file at `path`; a relative
    /// path is resolved against the current directory.
    ///
    /// - Parameter readers: how many document reads run at once, each on its own thread and
    ///   read-only connection (opened on first use).
    /// - Throws: ``DatabaseOpenError`` (`cannot open the database at PATH: …; check that the
    ///   directory exists and is writable`).
    public init(path: String, busyTimeout: Duration = defaultBusyTimeout, readers: Int = defaultReaderCount) throws(DatabaseOpenError) {
        let absolute = DatabaseLocation.resolve(path, against: FileSystem.currentDirectory())
        let directory = String(absolute[..<absolute.lastIndex(of: "/")!])
        if let problem = FileSystem.createDirectories(directory) ?? FileSystem.writeProblem(directory.isEmpty ? "/" : directory) {
            throw .cannotOpen(absolute, problem)
        }
        let handler = BusyTimeout(milliseconds: Self.milliseconds(busyTimeout))
        var configuration = Configuration()
        configuration.label = "trellis.database"
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .callback { tries in handler.shouldRetry(afterTries: tries) }
        configuration.prepareDatabase { db in
            // In WAL mode NORMAL still survives a crash of the process (kill -9); only a power
            // loss can drop the last commits. FULL would add an fsync to every write.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        do {
            let pool = try DatabasePool(path: absolute, configuration: configuration)
            try Self.schema.migrate(pool)
            self.pool = pool
        } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB {
            throw DatabaseOpenError(
                code: .cannotOpen, location: absolute,
                message: "cannot open the database at \(absolute): the file is not an SQLite database; move it away or name another file")
        } catch let error as DatabaseError {
            throw .cannotOpen(absolute, error.message ?? "\(error)")
        } catch {
            throw .cannotOpen(absolute, "\(error)")
        }
        self.path = absolute
        self.busyHandler = handler
        // The readers share the writer's busy handler, so `busy_timeout_ms` bounds their waits
        // too; in WAL mode a reader waits only in rare cases, such as while another process
        // recovers the WAL after a crash.
        var readOnly = configuration
        readOnly.readonly = true
        readOnly.label = "trellis.database.reader"
        self.readers = ReaderPool(label: "trellis.read", threads: max(readers, 1)) { [readOnly] in
            try DatabaseQueue(path: absolute, configuration: readOnly)
        } close: { connection in
            try? connection.close()
        }
        // Never waiting for a lock: busy, the read goes to the reader threads instead.
        var immediate = readOnly
        immediate.busyMode = .immediateError
        immediate.label = "trellis.database.point-reader"
        self.inlineReaders = InlineReaders(limit: max(readers, 1)) { [immediate] in
            try DatabaseQueue(path: absolute, configuration: immediate)
        }
    }

    /// Opens the database a `trellis.yaml` URL names (`sqlite:PATH`, relative to `dataDirectory`).
    ///
    /// - Throws: ``DatabaseOpenError``; a `postgres://` URL says PostgreSQL is not supported yet.
    public convenience init(url: String, dataDirectory: String, busyTimeout: Duration = defaultBusyTimeout) throws(DatabaseOpenError) {
        switch try DatabaseLocation(url: url, dataDirectory: dataDirectory) {
        case .sqlite(let path): try self.init(path: path, busyTimeout: busyTimeout)
        }
    }

    /// How long a write waits for another connection's lock before failing.
    public var busyTimeout: Duration { .milliseconds(busyHandler.current) }

    /// Changes the busy timeout of every connection, open or not yet opened.
    public func setBusyTimeout(_ timeout: Duration) {
        busyHandler.set(Self.milliseconds(timeout))
    }

    /// Runs `SELECT 1` on a reader connection: the health check.
    public func check() async throws {
        _ = try await pool.read { db in try Int.fetchOne(db, sql: "SELECT 1") }
    }

    /// Closes every connection, the readers' first; later reads and writes fail. Dropping the
    /// last reference closes it too.
    public func close() throws {
        inlineReaders.close()
        readers.close()
        try pool.close()
    }

    static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return Int(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000)
    }
}
