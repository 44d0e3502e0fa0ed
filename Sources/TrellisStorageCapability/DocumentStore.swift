public import Foundation
public import TrellisCore
public import TrellisJSON

/// The capability key of the document store the `database` system provides.
public let documentStoreKey = CapabilityKey<any DocumentStore>("storage.documents")

/// Durable storage for systems: namespaced migrations and JSON document collections.
///
/// SQLite (through GRDB) implements it today; a PostgreSQL driver implements the same
/// protocol later, so systems never see which database they run on.
public protocol DocumentStore: Sendable {
    /// Applies a system's migrations that have not run yet, in order, each in its own
    /// transaction, recording each by `<system>/<name>`. Idempotent.
    ///
    /// - Throws: ``StorageError/migrationFailed(system:name:reason:)`` naming the migration
    ///   that failed; it is rolled back, and the ones after it do not run.
    func migrate(system: String, _ migrations: [Migration]) async throws

    /// Opens (creating if needed) a collection of JSON documents; fields listed in `indexes`
    /// become indexed columns that queries can filter and sort on.
    func collection(_ name: String, indexes: [IndexedField]) async throws -> any DocumentCollection
}

/// One schema change of a system's tables, identified by a name unique within the system.
public struct Migration: Sendable, Hashable {
    public let name: String
    /// SQL statements run in one transaction.
    public let sql: String

    public init(_ name: String, sql: String) {
        self.name = name
        self.sql = sql
    }
}

/// A document field stored in its own indexed column (a JSON Pointer into the document).
public struct IndexedField: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable { case text, integer, real }

    /// The name queries use (`status`, `customer_id`).
    public let name: String
    /// Where the value is in the document (`/status`, `/customer/id`); every token names an object member.
    public let pointer: JSONPointer
    public let kind: Kind

    public init(_ name: String, pointer: JSONPointer? = nil, kind: Kind = .text) {
        self.name = name
        self.pointer = pointer ?? JSONPointer(tokens: [name])
        self.kind = kind
    }
}

/// A stored JSON document with its bookkeeping fields.
public struct Document: Sendable, Hashable {
    public let id: String
    public let createdAt: Date
    public let updatedAt: Date
    /// Starts at 1 and grows by one with every write; used for ETags and `If-Match`.
    public let version: Int
    public let body: JSONValue

    public init(id: String, createdAt: Date, updatedAt: Date, version: Int, body: JSONValue) {
        self.id = id
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.version = version
        self.body = body
    }
}

/// A collection of JSON documents.
public protocol DocumentCollection: Sendable {
    var name: String { get }

    /// Stores a new document; a new id (a UUID) is made when `id` is `nil`.
    /// - Throws: ``StorageError/duplicateID(collection:id:)`` when the id exists.
    func insert(_ body: JSONValue, id: String?) async throws -> Document

    func get(_ id: String) async throws -> Document?

    /// Replaces a document's body atomically: `transform` gets the current body and returns
    /// the new one; nothing is written if it throws.
    /// - Parameter expectedVersion: when given, the write fails with
    ///   ``StorageError/versionMismatch(collection:id:expected:actual:)`` unless it matches.
    func update(_ id: String, expectedVersion: Int?, _ transform: @Sendable (JSONValue) throws -> JSONValue) async throws -> Document

    /// Deletes a document. - Returns: whether it existed.
    func delete(_ id: String, expectedVersion: Int?) async throws -> Bool

    func query(_ query: DocumentQuery) async throws -> DocumentPage
}

/// Which documents to list, in what order, how many.
public struct DocumentQuery: Sendable, Hashable {
    public struct Filter: Sendable, Hashable {
        public enum Operator: String, Sendable, Hashable {
            case equal = "eq"
            case less = "lt"
            case lessOrEqual = "lte"
            case greater = "gt"
            case greaterOrEqual = "gte"
        }
        /// An indexed field's name.
        public let field: String
        public let op: Operator
        public let value: JSONValue

        public init(_ field: String, _ op: Operator = .equal, _ value: JSONValue) {
            self.field = field
            self.op = op
            self.value = value
        }

        /// An equality filter: `Filter("status", "open")` (Swift cannot skip the defaulted `op` in the middle).
        public init(_ field: String, _ value: JSONValue) {
            self.init(field, .equal, value)
        }
    }

    public var filters: [Filter]
    /// An indexed field (or `created_at`, `updated_at`, `id`); `id` when `nil`.
    public var sortField: String?
    public var descending: Bool
    /// The most documents one page holds; values below 1 are read as 1.
    public var limit: Int
    /// Opaque position from a previous page's ``DocumentPage/nextCursor``.
    public var cursor: String?

    public init(filters: [Filter] = [], sortField: String? = nil, descending: Bool = false, limit: Int = 50, cursor: String? = nil) {
        self.filters = filters
        self.sortField = sortField
        self.descending = descending
        self.limit = limit
        self.cursor = cursor
    }
}

/// One page of query results.
public struct DocumentPage: Sendable, Hashable {
    public let documents: [Document]
    /// Pass as ``DocumentQuery/cursor`` for the next page; `nil` on the last page.
    public let nextCursor: String?

    public init(documents: [Document], nextCursor: String?) {
        self.documents = documents
        self.nextCursor = nextCursor
    }
}

/// Why a storage operation failed.
public enum StorageError: Error, Sendable, Hashable, CustomStringConvertible {
    case migrationFailed(system: String, name: String, reason: String)
    case duplicateID(collection: String, id: String)
    case notFound(collection: String, id: String)
    case versionMismatch(collection: String, id: String, expected: Int, actual: Int)
    case unknownField(collection: String, field: String, indexed: [String])
    case invalidCursor(String)
    case invalidName(String)

    public var description: String {
        switch self {
        case .migrationFailed(let system, let name, let reason):
            "migration \(system)/\(name) failed and was rolled back: \(reason)"
        case .duplicateID(let collection, let id): "a document with id '\(id)' already exists in \(collection)"
        case .notFound(let collection, let id): "no document with id '\(id)' in \(collection)"
        case .versionMismatch(let collection, let id, let expected, let actual):
            "document '\(id)' in \(collection) is at version \(actual), not \(expected)"
        case .unknownField(let collection, let field, let indexed):
            "'\(field)' is not an indexed field of \(collection); indexed fields: \(indexed.isEmpty ? "none" : indexed.joined(separator: ", "))"
        case .invalidCursor(let cursor): "the cursor '\(cursor)' is not one this collection issued"
        case .invalidName(let name): "'\(name)' is not a valid name: use lowercase letters, digits and underscores, starting with a letter"
        }
    }
}
