import Testing
import TrellisDatabase
import TrellisJSON
import TrellisStorageCapability

@Suite struct DocumentQueryTests {
    static let fields = [IndexedField("status"), IndexedField("rank", kind: .integer), IndexedField("price", kind: .real)]

    /// 23 documents; ranks 0…3 with many ties, and every seventh document without a rank.
    struct Sample {
        let id: String
        let status: String
        let rank: Int?
        let price: Double

        var body: JSONValue {
            var object: JSONObject = ["status": .string(status), "price": JSONValue(price)]
            if let rank { object["rank"] = JSONValue(rank) }
            return .object(object)
        }
    }

    static let samples: [Sample] = (0..<23).map { n in
        // Ids are a permutation of the insertion order, so id order is not creation order.
        let k = (n * 7) % 23
        return Sample(
            id: "doc" + (k < 10 ? "0" : "") + String(k), status: n % 3 == 0 ? "open" : "done", rank: n % 7 == 0 ? nil : n % 4,
            price: Double(n) + 0.5)
    }

    func seeded(_ database: SQLiteDatabase) async throws -> any DocumentCollection {
        let items = try await SQLiteDocumentStore(database: database).collection("items", indexes: Self.fields)
        for sample in Self.samples { _ = try await items.insert(sample.body, id: sample.id) }
        return items
    }

    func allPages(_ items: any DocumentCollection, _ query: DocumentQuery) async throws -> (ids: [String], pages: Int) {
        var query = query
        var ids: [String] = []
        var pages = 0
        repeat {
            let page = try await items.query(query)
            #expect(page.documents.count <= query.limit)
            ids += page.documents.map(\.id)
            pages += 1
            query.cursor = page.nextCursor
        } while query.cursor != nil
        return (ids, pages)
    }

    /// The order SQLite gives: rank ascending with missing ranks first, then id.
    static func byRank(_ a: Sample, _ b: Sample) -> Bool {
        switch (a.rank, b.rank) {
        case (nil, nil): a.id < b.id
        case (nil, _): true
        case (_, nil): false
        case (let x?, let y?): x != y ? x < y : a.id < b.id
        }
    }

    @Test func equalityFilters() async throws {
        try await withDatabase { database in
            let items = try await seeded(database)
            let open = try await items.query(DocumentQuery(filters: [.init("status", "open")], limit: 100))
            #expect(open.documents.map(\.id) == Self.samples.filter { $0.status == "open" }.map(\.id).sorted())
            #expect(open.nextCursor == nil)

            let both = try await items.query(DocumentQuery(filters: [.init("status", "done"), .init("rank", .equal, 2)], limit: 100))
            #expect(both.documents.map(\.id) == Self.samples.filter { $0.status == "done" && $0.rank == 2 }.map(\.id).sorted())

            // Query strings arrive as text; the integer column's affinity compares "2" as 2.
            let fromText = try await items.query(DocumentQuery(filters: [.init("rank", "2")], limit: 100))
            #expect(fromText.documents.map(\.id) == Self.samples.filter { $0.rank == 2 }.map(\.id).sorted())

            let missing = try await items.query(DocumentQuery(filters: [.init("rank", .null)], limit: 100))
            #expect(missing.documents.map(\.id) == Self.samples.filter { $0.rank == nil }.map(\.id).sorted())
            #expect(!missing.documents.isEmpty)
        }
    }

    @Test func rangeFilters() async throws {
        try await withDatabase { database in
            let items = try await seeded(database)
            let middle = try await items.query(
                DocumentQuery(filters: [.init("rank", .greaterOrEqual, 1), .init("rank", .less, 3)], limit: 100))
            #expect(middle.documents.map(\.id) == Self.samples.filter { ($0.rank ?? -1) >= 1 && ($0.rank ?? -1) < 3 }.map(\.id).sorted())

            let cheap = try await items.query(DocumentQuery(filters: [.init("price", .lessOrEqual, 4.5)], limit: 100))
            #expect(cheap.documents.map(\.id) == Self.samples.filter { $0.price <= 4.5 }.map(\.id).sorted())
            #expect(cheap.documents.count == 5)

            let dear = try await items.query(DocumentQuery(filters: [.init("price", .greater, 20.5)], sortField: "price", limit: 100))
            #expect(dear.documents.map { $0.body["price"] } == [21.5, 22.5])

            // Nothing is less or greater than a missing value.
            #expect(try await items.query(DocumentQuery(filters: [.init("rank", .less, .null)], limit: 100)).documents.isEmpty)
        }
    }

    @Test func aLimitBelowOneReadsAsOne() async throws {
        try await withDatabase { database in
            let items = try await seeded(database)
            let page = try await items.query(DocumentQuery(limit: 0))
            #expect(page.documents.map(\.id) == ["doc00"])
            #expect(page.nextCursor != nil)
        }
    }

    @Test func sortingAscendingAndDescending() async throws {
        try await withDatabase { database in
            let items = try await seeded(database)
            let ascending = try await items.query(DocumentQuery(sortField: "rank", limit: 100))
            let expected = Self.samples.sorted(by: Self.byRank).map(\.id)
            #expect(ascending.documents.map(\.id) == expected)
            let descending = try await items.query(DocumentQuery(sortField: "rank", descending: true, limit: 100))
            #expect(descending.documents.map(\.id) == expected.reversed())
            let byID = try await items.query(DocumentQuery(descending: true, limit: 100))
            #expect(byID.documents.map(\.id) == Self.samples.map(\.id).sorted().reversed())
            let byCreation = try await items.query(DocumentQuery(sortField: "created_at", limit: 100))
            #expect(byCreation.documents.map(\.createdAt) == byCreation.documents.map(\.createdAt).sorted())
        }
    }

    @Test(arguments: [("rank", false), ("rank", true), ("status", false), ("id", true), ("created_at", false), ("updated_at", true)])
    func paginationVisitsEveryDocumentOnceInOrder(sortField: String, descending: Bool) async throws {
        try await withDatabase { database in
            let items = try await seeded(database)
            let everything = try await items.query(DocumentQuery(sortField: sortField, descending: descending, limit: 100))
            #expect(everything.documents.count == Self.samples.count)
            let (ids, pages) = try await allPages(items, DocumentQuery(sortField: sortField, descending: descending, limit: 4))
            #expect(ids == everything.documents.map(\.id))
            #expect(Set(ids).count == Self.samples.count)
            #expect(pages == 6)
        }
    }

    @Test func paginationWithAFilterAndAnExactLastPage() async throws {
        try await withDatabase { database in
            let items = try await seeded(database)
            let open = Self.samples.filter { $0.status == "open" }.sorted(by: Self.byRank)
            #expect(open.count == 8)
            let query = DocumentQuery(filters: [.init("status", "open")], sortField: "rank", limit: 4)
            let (ids, pages) = try await allPages(items, query)
            #expect(ids == open.map(\.id))
            #expect(pages == 2)  // a full last page does not leave an empty page behind it
        }
    }

    @Test func writesBetweenPagesDoNotShiftThePages() async throws {
        try await withDatabase { database in
            let items = try await seeded(database)
            let first = try await items.query(DocumentQuery(limit: 5))
            _ = try await items.insert(["status": "open"], id: "doc00a")  // sorts before the cursor
            let second = try await items.query(DocumentQuery(limit: 5, cursor: first.nextCursor))
            #expect(second.documents.map(\.id) == Array(Self.samples.map(\.id).sorted()[5..<10]))
        }
    }

    @Test func unknownFieldsListTheIndexedOnes() async throws {
        try await withDatabase { database in
            let items = try await seeded(database)
            let error = await #expect(throws: StorageError.self) {
                try await items.query(DocumentQuery(filters: [.init("colour", "red")]))
            }
            #expect(error == .unknownField(collection: "items", field: "colour", indexed: ["status", "rank", "price"]))
            #expect(error?.description == "'colour' is not an indexed field of items; indexed fields: status, rank, price")
            await #expect(throws: StorageError.unknownField(collection: "items", field: "title", indexed: ["status", "rank", "price"])) {
                try await items.query(DocumentQuery(sortField: "title"))
            }
            let plain = try await SQLiteDocumentStore(database: database).collection("plain", indexes: [])
            let none = await #expect(throws: StorageError.self) { try await plain.query(DocumentQuery(filters: [.init("a", 1)])) }
            #expect(none?.description == "'a' is not an indexed field of plain; indexed fields: none")
        }
    }

    @Test func cursorsFromElsewhereAreInvalid() async throws {
        try await withDatabase { database in
            let items = try await seeded(database)
            await #expect(throws: StorageError.invalidCursor("not-a-cursor")) {
                try await items.query(DocumentQuery(cursor: "not-a-cursor"))
            }
            #expect(StorageError.invalidCursor("x").description == "the cursor 'x' is not one this collection issued")
            let byRank = try await items.query(DocumentQuery(sortField: "rank", limit: 2))
            let cursor = try #require(byRank.nextCursor)
            // The same cursor for another sort, direction or collection.
            await #expect(throws: StorageError.invalidCursor(cursor)) {
                try await items.query(DocumentQuery(sortField: "price", limit: 2, cursor: cursor))
            }
            await #expect(throws: StorageError.invalidCursor(cursor)) {
                try await items.query(DocumentQuery(sortField: "rank", descending: true, limit: 2, cursor: cursor))
            }
            let others = try await SQLiteDocumentStore(database: database).collection("others", indexes: Self.fields)
            await #expect(throws: StorageError.invalidCursor(cursor)) {
                try await others.query(DocumentQuery(sortField: "rank", limit: 2, cursor: cursor))
            }
            // Valid base64 of JSON that is not a cursor.
            await #expect(throws: StorageError.invalidCursor("eyJhIjoxfQ")) {
                try await items.query(DocumentQuery(cursor: "eyJhIjoxfQ"))
            }
        }
    }

    @Test func indexedFieldsAreGeneratedColumnsWithIndexes() async throws {
        try await withDatabase { database in
            _ = try await seeded(database)
            let columns = try await database.rows(
                "SELECT name, type, hidden FROM pragma_table_xinfo('doc_items') WHERE name LIKE 'f_%' ORDER BY cid")
            // hidden = 2: a VIRTUAL generated column.
            #expect(columns == [["f_status", "TEXT", "2"], ["f_rank", "INTEGER", "2"], ["f_price", "REAL", "2"]])
            let plan = try await database.rows("EXPLAIN QUERY PLAN SELECT id FROM doc_items WHERE f_rank = 2 ORDER BY f_rank, id")
            #expect(plan.contains { row in row.contains { $0?.contains("INDEX doc_items_f_rank") == true } })
        }
    }

    @Test func aFieldAddedLaterIndexesExistingDocuments() async throws {
        try await withDatabase { database in
            let store = SQLiteDocumentStore(database: database)
            let before = try await store.collection("items", indexes: [IndexedField("status")])
            _ = try await before.insert(["status": "open", "meta": ["owner's id": "u1", "a.b": 3]], id: "one")
            _ = try await before.insert(["status": "done", "meta": ["owner's id": "u2", "a.b": 1]], id: "two")
            await #expect(throws: StorageError.self) { try await before.query(DocumentQuery(filters: [.init("owner", "u1")])) }

            let after = try await store.collection(
                "items",
                indexes: [
                    IndexedField("status"), IndexedField("owner", pointer: JSONPointer(tokens: ["meta", "owner's id"])),
                    IndexedField("ab", pointer: "/meta/a.b", kind: .integer),
                ])
            #expect(try await after.query(DocumentQuery(filters: [.init("owner", "u1")])).documents.map(\.id) == ["one"])
            #expect(try await after.query(DocumentQuery(sortField: "ab")).documents.map(\.id) == ["two", "one"])
            let indexes = try await database.rows(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'doc_items' AND name LIKE '%_f_%' ORDER BY name")
            #expect(indexes == [["doc_items_f_ab"], ["doc_items_f_owner"], ["doc_items_f_status"]])

            // Pointing a field elsewhere rebuilds its column.
            let moved = try await store.collection("items", indexes: [IndexedField("status", pointer: "/meta/owner's id")])
            #expect(try await moved.query(DocumentQuery(filters: [.init("status", "u2")])).documents.map(\.id) == ["two"])

            // The declaration survives a reopen: the same fields need no schema change.
            let again = try await SQLiteDocumentStore(database: database).collection(
                "items", indexes: [IndexedField("status", pointer: "/meta/owner's id")])
            #expect(try await again.query(DocumentQuery(filters: [.init("status", "u1")])).documents.map(\.id) == ["one"])
        }
    }
}
