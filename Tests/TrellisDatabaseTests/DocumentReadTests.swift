import Foundation
import Testing
import TrellisDatabase
import TrellisJSON
import TrellisStorageCapability

/// The document reads' own path (reader threads, no transaction): what a read sees, and how
/// it behaves under writes, with more reads than readers, and on close.
@Suite struct DocumentReadTests {
    @Test func aReadSeesEveryWriteThatReturnedBeforeIt() async throws {
        try await withTemporaryDirectory { directory in
            let database = try SQLiteDatabase(path: directory + "/trellis.db")
            // A second pool on the same file, as another process would have.
            let other = try SQLiteDatabase(path: directory + "/trellis.db")
            defer {
                try? database.close()
                try? other.close()
            }
            let items = try await SQLiteDocumentStore(database: database).collection("items", indexes: [])
            let elsewhere = try await SQLiteDocumentStore(database: other).collection("items", indexes: [])
            for n in 0..<100 {
                let id = "item-\(n)"
                let inserted = try await items.insert(["n": JSONValue(n)], id: id)
                #expect(try await items.get(id) == inserted)
                #expect(try await elsewhere.get(id) == inserted)
                let updated = try await items.update(id, expectedVersion: 1) { _ in ["n": JSONValue(n + 1)] }
                #expect(try await items.get(id) == updated)
                #expect(try await elsewhere.get(id) == updated)
                #expect(try await elsewhere.delete(id, expectedVersion: 2))
                #expect(try await items.get(id) == nil)
                #expect(try await items.query(DocumentQuery(limit: 5)).documents.isEmpty)
            }
        }
    }

    @Test func readsDuringWritesSeeWholeVersionsInOrder() async throws {
        try await withDatabase { database in
            let counters = try await SQLiteDocumentStore(database: database).collection("counters", indexes: [])
            _ = try await counters.insert(["count": 0], id: "hits")
            let writes = 200
            let finished = Flag()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    defer { finished.raise() }
                    for _ in 0..<writes {
                        _ = try await counters.update("hits", expectedVersion: nil) { body in
                            ["count": JSONValue(body["count"]!.intValue! + 1)]
                        }
                    }
                }
                for _ in 0..<4 {
                    group.addTask {
                        var last = 0
                        var reads = 0
                        while !finished.isRaised || reads == 0 {
                            let document = try #require(try await counters.get("hits"))
                            // The body and the version come from one committed write.
                            #expect(document.body == ["count": JSONValue(document.version - 1)])
                            #expect(document.version >= last, "a later read never sees an older version")
                            last = document.version
                            reads += 1
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await counters.get("hits")?.version == writes + 1)
        }
    }

    @Test func aMissingDocumentIsNil() async throws {
        try await withDatabase { database in
            let items = try await SQLiteDocumentStore(database: database).collection("items", indexes: [])
            #expect(try await items.get("missing") == nil)
            _ = try await items.insert(["n": 1], id: "present")
            #expect(try await items.get("missing") == nil)
            #expect(try await items.get("") == nil)
            #expect(try await items.get("present")?.body == ["n": 1])
        }
    }

    @Test func readsGoOnAfterTheCollectionGainsAnIndexedField() async throws {
        try await withDatabase { database in
            let store = SQLiteDocumentStore(database: database)
            let before = try await store.collection("items", indexes: [])
            let stored = try await before.insert(["status": "open", "n": 1], id: "a")
            // Every reader has the SELECT prepared now; the next one sees a changed table.
            for _ in 0..<20 { #expect(try await before.get("a") == stored) }
            let after = try await store.collection("items", indexes: [IndexedField("status")])
            for _ in 0..<20 {
                #expect(try await before.get("a") == stored)
                #expect(try await after.get("a") == stored)
            }
            let open = try await after.query(DocumentQuery(filters: [.init("status", "open")]))
            #expect(open.documents == [stored])
        }
    }

    @Test func moreReadsThanReadersAllComeBack() async throws {
        try await withTemporaryDirectory { directory in
            let database = try SQLiteDatabase(path: directory + "/trellis.db", readers: 1)
            defer { try? database.close() }
            let items = try await SQLiteDocumentStore(database: database).collection("items", indexes: [])
            for n in 0..<20 { _ = try await items.insert(["n": JSONValue(n)], id: "item-\(n)") }
            let found = try await withThrowingTaskGroup(of: Int?.self) { group in
                for n in 0..<200 { group.addTask { try await items.get("item-\(n % 20)")?.body["n"]?.intValue } }
                return try await group.reduce(into: [Int]()) { if let n = $1 { $0.append(n) } }
            }
            #expect(found.count == 200)
            #expect(Set(found) == Set(0..<20))
        }
    }

    @Test func readsAfterCloseFailAndReadsInFlightEndEitherWay() async throws {
        try await withTemporaryDirectory { directory in
            let database = try SQLiteDatabase(path: directory + "/trellis.db", readers: 2)
            let items = try await SQLiteDocumentStore(database: database).collection("items", indexes: [])
            let stored = try await items.insert(["n": 1], id: "a")
            let outcomes = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        var outcome = "read"
                        for _ in 0..<200 {
                            do {
                                #expect(try await items.get("a") == stored)
                            } catch {
                                outcome = "\(error)"
                                break
                            }
                        }
                        return outcome
                    }
                }
                try await Task.sleep(for: .milliseconds(5))
                try database.close()
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(outcomes.count == 8)
            for outcome in outcomes where outcome != "read" { #expect(outcome.contains("Connection is closed")) }
            let error = await #expect(throws: (any Error).self) { try await items.get("a") }
            #expect("\(error.map { "\($0)" } ?? "")".contains("Connection is closed"))
            await #expect(throws: (any Error).self) { try await items.query(DocumentQuery()) }
        }
    }
}
