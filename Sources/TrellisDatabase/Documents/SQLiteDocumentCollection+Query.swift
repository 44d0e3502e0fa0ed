internal import GRDB
internal import TrellisJSON
internal import TrellisStorageCapability

extension SQLiteDocumentCollection {
    /// Lists documents matching every filter, ordered by the sort column and then by id (so ties
    /// have a stable order), one page at a time with a keyset cursor: a page starts right after
    /// the previous page's last (sort value, id), so writes between pages never shift it.
    ///
    /// SQLite orders NULL (a document without the field) first ascending and last descending;
    /// the cursor conditions follow the same order.
    func query(_ query: DocumentQuery) async throws -> DocumentPage {
        let sort = try sortColumn(query.sortField)
        let direction = query.descending ? "DESC" : "ASC"
        var conditions: [String] = []
        var arguments: [DatabaseValue] = []
        var matchesNothing = false

        for filter in query.filters {
            guard let field = schema.field(named: filter.field) else { throw unknownField(filter.field) }
            let column = CollectionSchema.column(field)
            let value = filter.value.databaseValue
            if value.isNull {
                // `= NULL` matches nothing; `IS NULL` finds documents without the field. No
                // document is less or greater than null.
                if filter.op != .equal { matchesNothing = true }
                conditions.append("\(column) IS NULL")
            } else {
                conditions.append("\(column) \(Self.sqlOperator(filter.op)) ?")
                arguments.append(value)
            }
        }

        if let text = query.cursor {
            let cursor = try QueryCursor(decoding: text)
            guard cursor.collection == name, cursor.sortKey == sort.key, cursor.descending == query.descending,
                (cursor.value == nil) == (sort.column == nil)
            else { throw StorageError.invalidCursor(text) }
            let (condition, values) = Self.after(cursor, column: sort.column, descending: query.descending)
            conditions.append(condition)
            arguments += values
        }
        if matchesNothing { return DocumentPage(documents: [], nextCursor: nil) }

        // At least one document per page; the cap only keeps `limit + 1` from overflowing.
        let limit = min(max(query.limit, 1), Int(Int32.max))
        let order = sort.column.map { "\($0) \(direction), id \(direction)" } ?? "id \(direction)"
        let sql = """
            SELECT id, body, created_at, updated_at, version\(sort.column.map { ", \($0)" } ?? "") FROM \(schema.table)
            \(conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")) ORDER BY \(order) LIMIT ?
            """
        arguments.append((limit + 1).databaseValue)

        let bound = StatementArguments(arguments)
        let (collection, key, descending, hasSortValue) = (name, sort.key, query.descending, sort.column != nil)
        return try await database.read { db in
            let rows = try Row.fetchAll(db.cachedStatement(sql: sql), arguments: bound)
            let page = rows.prefix(limit)
            let documents = try page.map(Self.document)
            var next: String?
            if rows.count > limit, let last = page.last {
                next = QueryCursor(
                    collection: collection, sortKey: key, descending: descending, value: hasSortValue ? last[5] as DatabaseValue : nil,
                    id: last[0]
                ).encoded()
            }
            return DocumentPage(documents: documents, nextCursor: next)
        }
    }

    /// The sort column for a query's sort field: an indexed field, else `id`, `created_at` or
    /// `updated_at`; `column` is `nil` for `id`, which is its own tie-breaker.
    private func sortColumn(_ field: String?) throws(StorageError) -> (key: String, column: String?) {
        guard let field else { return ("id", nil) }
        if let indexed = schema.field(named: field) { return (field, CollectionSchema.column(indexed)) }
        switch field {
        case "id": return ("id", nil)
        case "created_at", "updated_at": return (field, field)
        default: throw unknownField(field)
        }
    }

    private func unknownField(_ field: String) -> StorageError {
        .unknownField(collection: name, field: field, indexed: schema.fields.map(\.name))
    }

    /// The condition that keeps only rows after `cursor` in (column, id) order.
    private static func after(_ cursor: QueryCursor, column: String?, descending: Bool) -> (String, [DatabaseValue]) {
        let beyond = descending ? "<" : ">"
        let id = cursor.id.databaseValue
        guard let column, let value = cursor.value else { return ("id \(beyond) ?", [id]) }
        switch (value.isNull, descending) {
        case (false, false):
            return ("(\(column) > ? OR (\(column) = ? AND id > ?))", [value, value, id])
        case (true, false):
            return ("((\(column) IS NULL AND id > ?) OR \(column) IS NOT NULL)", [id])
        case (false, true):
            return ("(\(column) < ? OR (\(column) = ? AND id < ?) OR \(column) IS NULL)", [value, value, id])
        case (true, true):
            return ("(\(column) IS NULL AND id < ?)", [id])
        }
    }

    private static func sqlOperator(_ op: DocumentQuery.Filter.Operator) -> String {
        switch op {
        case .equal: "="
        case .less: "<"
        case .lessOrEqual: "<="
        case .greater: ">"
        case .greaterOrEqual: ">="
        }
    }
}

extension JSONValue {
    /// The value as SQLite compares it with a `json_extract` result: booleans are 1 and 0,
    /// arrays and objects their JSON text.
    var databaseValue: DatabaseValue {
        switch self {
        case .null: .null
        case .bool(let bool): (bool ? 1 : 0).databaseValue
        case .number(.integer(let integer)): integer.databaseValue
        case .number(.double(let double)): double.databaseValue
        case .string(let string): string.databaseValue
        case .array, .object: serialized().databaseValue
        }
    }
}
