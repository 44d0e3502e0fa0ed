internal import Foundation
internal import GRDB
internal import TrellisJSON
internal import TrellisStorageCapability

/// One collection's table: `doc_<name>` with `id`, `body` (the JSON text), `created_at`,
/// `updated_at` (milliseconds since 1970), `version`, and one generated column `f_<field>`
/// with an index per indexed field.
struct CollectionSchema: Sendable {
    let name: String
    let fields: [IndexedField]
    let table: String

    /// - Throws: ``StorageError/invalidName(_:)`` for a collection or field name that is not
    ///   `^[a-z][a-z0-9_]*$`, or a pointer SQLite's JSON paths cannot express.
    init(name: String, fields: [IndexedField]) throws(StorageError) {
        try Self.validate(name)
        var unique: [IndexedField] = []
        for field in fields where !unique.contains(where: { $0.name == field.name }) {
            try Self.validate(field.name)
            _ = try Self.jsonPath(field.pointer)
            unique.append(field)
        }
        self.name = name
        self.fields = unique
        self.table = Self.quoted("doc_" + name)
    }

    func field(named name: String) -> IndexedField? {
        fields.first { $0.name == name }
    }

    static func column(_ field: IndexedField) -> String { quoted("f_" + field.name) }

    private func indexName(_ suffix: String) -> String { Self.quoted("doc_" + name + "_" + suffix) }

    /// Creates the table if needed and brings its generated columns in line with `fields`:
    /// new fields are added as columns with an index; a field whose pointer or kind changed is
    /// dropped and added again. Columns of fields no longer listed stay (nothing is lost).
    func ensure(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE IF NOT EXISTS \(table) (
                    id TEXT PRIMARY KEY NOT NULL,
                    body TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL,
                    version INTEGER NOT NULL
                );
                CREATE INDEX IF NOT EXISTS \(indexName("created_at")) ON \(table) (created_at, id);
                CREATE INDEX IF NOT EXISTS \(indexName("updated_at")) ON \(table) (updated_at, id);
                """)
        var existing: [String: (pointer: String, kind: String)] = [:]
        for row in try Row.fetchAll(
            db, sql: "SELECT field, pointer, kind FROM trellis_collection_fields WHERE collection = ?", arguments: [name])
        {
            existing[row[0]] = (row[1], row[2])
        }
        for field in fields {
            let pointer = field.pointer.description
            let column = Self.column(field)
            let index = indexName("f_" + field.name)
            if let old = existing[field.name] {
                if old.pointer == pointer && old.kind == field.kind.rawValue { continue }
                try db.execute(sql: "DROP INDEX IF EXISTS \(index)")
                try db.execute(sql: "ALTER TABLE \(table) DROP COLUMN \(column)")
                try db.execute(
                    sql: "DELETE FROM trellis_collection_fields WHERE collection = ? AND field = ?", arguments: [name, field.name])
            }
            // DDL takes no bound parameters: the path is a literal, built only from the
            // validated pointer with quotes escaped.
            let path = try Self.jsonPath(field.pointer).replacingOccurrences(of: "'", with: "''")
            try db.execute(
                sql:
                    "ALTER TABLE \(table) ADD COLUMN \(column) \(Self.sqlType(field.kind)) GENERATED ALWAYS AS (json_extract(body, '\(path)')) VIRTUAL"
            )
            try db.execute(sql: "CREATE INDEX \(index) ON \(table) (\(column), id)")
            try db.execute(
                sql: "INSERT INTO trellis_collection_fields (collection, field, pointer, kind) VALUES (?, ?, ?, ?)",
                arguments: [name, field.name, pointer, field.kind.rawValue])
        }
    }

    static func sqlType(_ kind: IndexedField.Kind) -> String {
        switch kind {
        case .text: "TEXT"
        case .integer: "INTEGER"
        case .real: "REAL"
        }
    }

    /// The SQLite JSON path of a pointer, every token an object key in double quotes:
    /// `/customer/id` → `$."customer"."id"`.
    ///
    /// - Throws: ``StorageError/invalidName(_:)`` for a token holding `"` or NUL, which
    ///   SQLite's quoted path labels cannot contain.
    static func jsonPath(_ pointer: JSONPointer) throws(StorageError) -> String {
        var path = "$"
        for token in pointer.tokens {
            guard !token.contains("\"") && !token.contains("\0") else { throw .invalidName(token) }
            path += ".\"" + token + "\""
        }
        return path
    }

    /// Checks `^[a-z][a-z0-9_]*$`, which also makes the name safe inside a quoted identifier.
    static func validate(_ name: String) throws(StorageError) {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first),
            bytes.allSatisfy({ byte in
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                    || byte == UInt8(ascii: "_")
            })
        else { throw .invalidName(name) }
    }

    static func quoted(_ identifier: String) -> String { "\"" + identifier + "\"" }
}
