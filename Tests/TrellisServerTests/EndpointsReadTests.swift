import Foundation
import Testing
import TrellisJSON

/// `GET /items/{id}` through HTTP: the bytes, the ETag, the id as the path spells it.
@Suite struct EndpointsReadTests {
    static let items: JSONValue = [["path": "/items", "mode": "database", "collection": "items"]]

    @Test func aReadAnswersTheStoredDocumentWithItsVersionAsETag() async throws {
        try await EndpointsTestServer.with(endpoints: Self.items) { server in
            let created = try await server.send(.POST, "/items", json: ["id": "item-0500", "name": "Item 500", "price": 500.5])
            #expect(created.status == 201)
            let createdAt = try #require(try created.json()["created_at"]?.stringValue)
            let read = try await server.get("/items/item-0500")
            #expect(read.status == 200)
            #expect(read.header("ETag") == "\"1\"")
            #expect(read.header("Content-Type") == "application/json")
            #expect(
                read.text
                    == #"{"id":"item-0500","name":"Item 500","price":500.5,"created_at":"\#(createdAt)","updated_at":"\#(createdAt)","version":1}"#
            )
            #expect(read.body == created.body)
            #expect(try await server.get("/items/item-0500", headers: [("If-None-Match", "\"1\"")]).status == 304)
            #expect(try await server.get("/items/item-0500", headers: [("If-None-Match", "\"2\"")]).status == 200)

            let replaced = try await server.send(.PUT, "/items/item-0500", json: ["name": "Item 500", "price": 1])
            #expect(replaced.header("ETag") == "\"2\"")
            let again = try await server.get("/items/item-0500")
            #expect(again.header("ETag") == "\"2\"")
            #expect(again.body == replaced.body)
        }
    }

    @Test func anIDMayBePercentEncodedInThePath() async throws {
        try await EndpointsTestServer.with(endpoints: Self.items) { server in
            _ = try await server.send(.POST, "/items", json: ["id": "a-b.c~d_e", "n": 1])
            #expect(try await server.get("/items/a-b.c~d_e").json()["n"] == 1)
            #expect(try await server.get("/items/a%2Db%2Ec%7Ed%5Fe").json()["id"] == "a-b.c~d_e")
            let missing = try await server.get("/items/a%2Dz")
            try missing.expectProblem(404, "Not Found", detail: "no document with id 'a-z' in items", instance: "/items/a%2Dz")
        }
    }
}
