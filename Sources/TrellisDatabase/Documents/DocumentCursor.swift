internal import GRDB

/// The rows of a document `SELECT` (id, body, created_at, updated_at, version first), each
/// column read once, straight from SQLite.
///
/// GRDB's `Row.fetchOne` builds a table of the statement's column names and copies every value
/// before anything reads them, which took 1–3 µs of a point read that now costs 4–6 µs in all
/// (docs/PERFORMANCE.md, "The SQLite read"). A statement that fails leaves GRDB's statement
/// cache, as with any GRDB cursor.
final class DocumentCursor: DatabaseCursor {
    typealias Element = (id: String, body: String, createdAt: Int64, updatedAt: Int64, version: Int)

    let _statement: Statement
    var _isDone = false

    /// Resets `statement` and binds `arguments` to it.
    init(_ statement: Statement, arguments: StatementArguments) throws {
        try statement.setArguments(arguments)
        _statement = statement
    }

    func _element(sqliteStatement: SQLiteStatement) -> Element {
        (
            id: String(sqliteStatement: sqliteStatement, index: 0), body: String(sqliteStatement: sqliteStatement, index: 1),
            createdAt: Int64(sqliteStatement: sqliteStatement, index: 2), updatedAt: Int64(sqliteStatement: sqliteStatement, index: 3),
            version: Int(Int64(sqliteStatement: sqliteStatement, index: 4))
        )
    }

    /// The first row, or `nil`. Steps on to the end, which ends the statement's read
    /// transaction, so the connection holds no snapshot once the read is over.
    func single() throws -> Element? {
        let first = try next()
        while try next() != nil {}
        return first
    }
}
