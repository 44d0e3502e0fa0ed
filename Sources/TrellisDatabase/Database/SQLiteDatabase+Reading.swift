internal import GRDB

extension SQLiteDatabase {
    /// Runs `body` on a read-only connection of its own, outside any transaction: the path of
    /// the document reads (`get` and `query`), each one `SELECT`.
    ///
    /// It skips what GRDB's async `DatabasePool.read` does around every read, which made a
    /// `get` cost about 3 times the CPU it costs here (docs/PERFORMANCE.md, "The SQLite read"):
    /// - **No transaction.** SQLite runs a lone statement in its own read transaction, which
    ///   sees every write committed before the statement started (so a `GET` after a `POST`'s
    ///   answer sees the document) and none that commits while it runs. `body` must therefore
    ///   run one statement, or accept that two statements may see different commits. GRDB
    ///   resets the statement when its fetch ends, which ends that read transaction, so an idle
    ///   reader holds no snapshot that would keep a checkpoint from emptying the WAL.
    /// - **No schema check.** GRDB checks `PRAGMA schema_version` to refresh its cache of
    ///   table definitions, which the document reads never look at; SQLite itself prepares a
    ///   statement again when the schema changed (a collection gaining an indexed field).
    /// - **One hand-off each way**, to a reader thread and back (``ReaderPool``), where GRDB's
    ///   async read goes through two dispatch queues. The read never blocks one of Swift's
    ///   cooperative threads.
    ///
    /// - Throws: GRDB's `DatabaseError` ("Connection is closed", `SQLITE_MISUSE`) after
    ///   ``close()``, as GRDB's own reads do.
    func read<Value: Sendable>(_ body: @escaping @Sendable (Database) throws -> Value) async throws -> Value {
        do {
            return try await readers.run { connection in try connection.inDatabase(body) }
        } catch ReaderPoolError.closed {
            throw DatabaseError(resultCode: .SQLITE_MISUSE, message: "Connection is closed")
        }
    }

    /// Runs `body`, a point read (one row by primary key), on this thread when an inline
    /// connection is free (``InlineReaders``), else as ``read(_:)`` does.
    func readPoint<Value: Sendable>(_ body: @escaping @Sendable (Database) throws -> Value) async throws -> Value {
        if let value = try inlineReaders.read(body) { return value }
        return try await read(body)
    }
}
