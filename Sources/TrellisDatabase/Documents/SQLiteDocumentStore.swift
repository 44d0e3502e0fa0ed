internal import GRDB
internal import Synchronization
public import TrellisStorageCapability

/// The ``DocumentStore`` on an SQLite file: namespaced migrations and JSON document collections.
///
/// ```swift
/// let store = SQLiteDocumentStore(database: database)
/// try await store.migrate(system: "notes", [Migration("0001-create", sql: "CREATE TABLE notes_tags (…)")])
/// let items = try await store.collection("items", indexes: [IndexedField("status")])
/// let item = try await items.insert(["title": "Milk", "status": "open"], id: nil)
/// ```
public final class SQLiteDocumentStore: DocumentStore {
    public let database: SQLiteDatabase
    /// Collections already brought in line with the schema, so asking for one again (every
    /// request, say) costs no database work.
    private let opened = Mutex<[String: SQLiteDocumentCollection]>([:])

    public init(database: SQLiteDatabase) {
        self.database = database
    }

    /// Opens a collection, creating its table `doc_<name>` and a generated, indexed column for
    /// each field in `indexes` that it does not have yet.
    ///
    /// Fields are matched by name: a field whose pointer or kind changed gets a new column;
    /// columns of fields no longer listed stay in the table. Later duplicates of a name are ignored.
    ///
    /// - Throws: ``StorageError/invalidName(_:)`` for a collection or field name that is not
    ///   `^[a-z][a-z0-9_]*$`.
    public func collection(_ name: String, indexes: [IndexedField]) async throws -> any DocumentCollection {
        let schema = try CollectionSchema(name: name, fields: indexes)
        if let cached = opened.withLock({ $0[name] }), cached.schema.fields == schema.fields {
            return cached
        }
        try await database.pool.write { db in try schema.ensure(db) }
        let collection = SQLiteDocumentCollection(database: database, schema: schema)
        opened.withLock { $0[name] = collection }
        return collection
    }
}
