import Foundation
import Testing
import TrellisDatabase
import TrellisJSON
import TrellisStorageCapability

@Suite struct DocumentCollectionTests {
    struct Refused: Error, Equatable {}

    @Test func insertGetUpdateDeleteWithVersions() async throws {
        try await withDatabase { database in
            let items = try await SQLiteDocumentStore(database: database).collection("items", indexes: [])
            let inserted = try await items.insert(["title": "Milk", "done": false], id: nil)
            #expect(inserted.version == 1)
            #expect(inserted.createdAt == inserted.updatedAt)
            #expect(UUID(uuidString: inserted.id) != nil && inserted.id == inserted.id.lowercased())
            #expect(try await items.get(inserted.id) == inserted)

            let updated = try await items.update(inserted.id, expectedVersion: 1) { body in
                var object = body.objectValue!
                object["done"] = true
                return .object(object)
            }
            #expect(updated.version == 2)
            #expect(updated.body == ["title": "Milk", "done": true])
            #expect(updated.createdAt == inserted.createdAt && updated.updatedAt >= inserted.updatedAt)
            #expect(try await items.get(inserted.id) == updated)

            let again = try await items.update(inserted.id, expectedVersion: nil) { _ in ["title": "Bread"] }
            #expect(again.version == 3)

            #expect(try await items.delete(inserted.id, expectedVersion: 3))
            #expect(try await items.get(inserted.id) == nil)
            #expect(try await items.delete(inserted.id, expectedVersion: nil) == false)
            #expect(try await items.delete(inserted.id, expectedVersion: 3) == false)
        }
    }

    @Test func bodiesKeepTheirKeyOrderAsText() async throws {
        try await withDatabase { database in
            let items = try await SQLiteDocumentStore(database: database).collection("items", indexes: [])
            let body = try JSONValue(parsing: #"{"zeta":1,"alpha":{"y":[1,2.5,"x"],"b":null},"mid":"é\n"}"#)
            _ = try await items.insert(body, id: "one")
            #expect(try await database.rows("SELECT body FROM doc_items WHERE id = 'one'") == [[body.serialized()]])
            #expect(try await items.get("one")?.body.serialized() == #"{"zeta":1,"alpha":{"y":[1,2.5,"x"],"b":null},"mid":"é\n"}"#)
        }
    }

    @Test func aDuplicateIDIsRefusedAndTheOriginalStays() async throws {
        try await withDatabase { database in
            let items = try await SQLiteDocumentStore(database: database).collection("items", indexes: [])
            let original = try await items.insert(["n": 1], id: "a")
            await #expect(throws: StorageError.duplicateID(collection: "items", id: "a")) {
                try await items.insert(["n": 2], id: "a")
            }
            #expect(StorageError.duplicateID(collection: "items", id: "a").description == "a document with id 'a' already exists in items")
            #expect(try await items.get("a") == original)
        }
    }

    @Test func aThrowingTransformLeavesTheDocumentUntouched() async throws {
        try await withDatabase { database in
            let items = try await SQLiteDocumentStore(database: database).collection("items", indexes: [IndexedField("status")])
            let original = try await items.insert(["status": "open"], id: "a")
            await #expect(throws: Refused()) {
                try await items.update("a", expectedVersion: 1) { _ in throw Refused() }
            }
            #expect(try await items.get("a") == original)
            #expect(try await database.rows("SELECT version, f_status FROM doc_items") == [["1", "open"]])
        }
    }

    @Test func aStaleVersionIsRefusedOnUpdateAndDelete() async throws {
        try await withDatabase { database in
            let items = try await SQLiteDocumentStore(database: database).collection("items", indexes: [])
            _ = try await items.insert(["n": 1], id: "a")
            let current = try await items.update("a", expectedVersion: 1) { _ in ["n": 2] }
            let stale = StorageError.versionMismatch(collection: "items", id: "a", expected: 1, actual: 2)
            await #expect(throws: stale) {
                try await items.update("a", expectedVersion: 1) { _ in ["n": 3] }
            }
            await #expect(throws: stale) { try await items.delete("a", expectedVersion: 1) }
            #expect(stale.description == "document 'a' in items is at version 2, not 1")
            #expect(try await items.get("a") == current)
        }
    }

    @Test func updatingAMissingDocumentSaysNotFound() async throws {
        try await withDatabase { database in
            let items = try await SQLiteDocumentStore(database: database).collection("items", indexes: [])
            await #expect(throws: StorageError.notFound(collection: "items", id: "ghost")) {
                try await items.update("ghost", expectedVersion: nil) { $0 }
            }
            #expect(StorageError.notFound(collection: "items", id: "ghost").description == "no document with id 'ghost' in items")
        }
    }

    @Test func collectionAndFieldNamesAreValidated() async throws {
        try await withDatabase { database in
            let store = SQLiteDocumentStore(database: database)
            for name in ["Items", "1items", "items-x", "", "items; DROP TABLE x"] {
                await #expect(throws: StorageError.invalidName(name)) { try await store.collection(name, indexes: []) }
            }
            await #expect(throws: StorageError.invalidName("Status")) {
                try await store.collection("items", indexes: [IndexedField("Status")])
            }
            // SQLite's quoted JSON path labels cannot hold a double quote.
            await #expect(throws: StorageError.invalidName(#"a"b"#)) {
                try await store.collection("items", indexes: [IndexedField("quoted", pointer: JSONPointer(tokens: [#"a"b"#]))])
            }
            #expect(
                StorageError.invalidName("Items").description
                    == "'Items' is not a valid name: use lowercase letters, digits and underscores, starting with a letter")
        }
    }

    @Test func collectionsAreSeparateTables() async throws {
        try await withDatabase { database in
            let store = SQLiteDocumentStore(database: database)
            let items = try await store.collection("items", indexes: [])
            let orders = try await store.collection("orders", indexes: [])
            _ = try await items.insert(["n": 1], id: "same")
            _ = try await orders.insert(["n": 2], id: "same")
            #expect(try await items.get("same")?.body == ["n": 1])
            #expect(try await orders.get("same")?.body == ["n": 2])
            #expect(items.name == "items")
            let columns = try await database.rows("SELECT name, type FROM pragma_table_info('doc_orders') ORDER BY cid")
            #expect(
                columns == [
                    ["id", "TEXT"], ["body", "TEXT"], ["created_at", "INTEGER"], ["updated_at", "INTEGER"], ["version", "INTEGER"],
                ])
        }
    }
}
