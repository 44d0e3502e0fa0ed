internal import Foundation
internal import GRDB
internal import TrellisJSON
internal import TrellisStorageCapability

/// A collection of JSON documents in one SQLite table; made by ``SQLiteDocumentStore/collection(_:indexes:)``.
///
/// Bodies are stored as the exact text `JSONValue.serialized()` produces, so key order survives.
struct SQLiteDocumentCollection: DocumentCollection {
    let database: SQLiteDatabase
    let schema: CollectionSchema
    private let statements: Statements

    /// The hot statements' SQL, built once per collection.
    private struct Statements: Sendable {
        let select: String
        let insert: String
        let update: String
        let version: String
        let delete: String

        init(table: String) {
            select = "SELECT id, body, created_at, updated_at, version FROM \(table) WHERE id = ?"
            insert = "INSERT INTO \(table) (id, body, created_at, updated_at, version) VALUES (?, ?, ?, ?, 1)"
            update = "UPDATE \(table) SET body = ?, updated_at = ?, version = ? WHERE id = ?"
            version = "SELECT version FROM \(table) WHERE id = ?"
            delete = "DELETE FROM \(table) WHERE id = ?"
        }
    }

    init(database: SQLiteDatabase, schema: CollectionSchema) {
        self.database = database
        self.schema = schema
        self.statements = Statements(table: schema.table)
    }

    var name: String { schema.name }

    func insert(_ body: JSONValue, id: String?) async throws -> Document {
        let id = id ?? UUID().uuidString.lowercased()
        let text = body.serialized()
        let now = Timestamp.now()
        let sql = statements.insert
        do {
            try await database.pool.write { db in
                try db.cachedStatement(sql: sql).execute(arguments: [id, text, now, now])
            }
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY {
            throw StorageError.duplicateID(collection: name, id: id)
        }
        return Document(id: id, createdAt: Timestamp.date(now), updatedAt: Timestamp.date(now), version: 1, body: body)
    }

    func get(_ id: String) async throws -> Document? {
        let sql = statements.select
        return try await database.readPoint { db in
            try DocumentCursor(db.cachedStatement(sql: sql), arguments: [id]).single().map(Self.document)
        }
    }

    func update(_ id: String, expectedVersion: Int?, _ transform: @Sendable (JSONValue) throws -> JSONValue) async throws -> Document {
        let (select, update, name) = (statements.select, statements.update, name)
        // One write transaction: nobody writes between the read and the write, and a throwing
        // transform (or version check) rolls back a transaction that has written nothing.
        return try await database.pool.write { db in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: select), arguments: [id]) else {
                throw StorageError.notFound(collection: name, id: id)
            }
            let current = try Self.document(row)
            if let expectedVersion, expectedVersion != current.version {
                throw StorageError.versionMismatch(collection: name, id: id, expected: expectedVersion, actual: current.version)
            }
            let body = try transform(current.body)
            // Never before the previous write, even if the clock stepped back.
            let now = max(Timestamp.now(), Timestamp.milliseconds(current.updatedAt))
            try db.cachedStatement(sql: update).execute(arguments: [body.serialized(), now, current.version + 1, id])
            return Document(id: id, createdAt: current.createdAt, updatedAt: Timestamp.date(now), version: current.version + 1, body: body)
        }
    }

    func delete(_ id: String, expectedVersion: Int?) async throws -> Bool {
        let (versionSQL, delete, name) = (statements.version, statements.delete, name)
        return try await database.pool.write { db in
            if let expectedVersion {
                guard let version = try Int.fetchOne(db.cachedStatement(sql: versionSQL), arguments: [id]) else { return false }
                guard version == expectedVersion else {
                    throw StorageError.versionMismatch(collection: name, id: id, expected: expectedVersion, actual: version)
                }
            }
            try db.cachedStatement(sql: delete).execute(arguments: [id])
            return db.changesCount > 0
        }
    }

    /// A document from the columns a ``DocumentCursor`` read.
    static func document(_ columns: DocumentCursor.Element) throws -> Document {
        Document(
            id: columns.id, createdAt: Timestamp.date(columns.createdAt), updatedAt: Timestamp.date(columns.updatedAt),
            version: columns.version, body: try JSONValue(parsing: columns.body))
    }

    /// A document from a row whose first five columns are id, body, created_at, updated_at, version.
    static func document(_ row: Row) throws -> Document {
        try document((id: row[0], body: row[1], createdAt: row[2], updatedAt: row[3], version: row[4]))
    }
}
