import Foundation
import Testing
import TrellisJSON

@Suite struct EndpointsDatabaseTests {
    static let todos: JSONValue = [
        [
            "path": "/todos", "mode": "database", "collection": "todos", "max_limit": 3,
            "schema": [
                "type": "object", "required": ["title"], "additionalProperties": false,
                "properties": [
                    "title": ["type": "string", "minLength": 1], "done": ["type": "boolean"],
                    "priority": ["type": "integer", "minimum": 1, "maximum": 5], "tags": ["type": "array", "items": ["type": "string"]],
                ],
            ],
            "indexes": ["title", ["name": "priority", "type": "integer"], ["name": "status", "pointer": "/done", "type": "integer"]],
        ]
    ]

    @Test func createReadReplacePatchAndDelete() async throws {
        try await EndpointsTestServer.with(endpoints: Self.todos) { server in
            let created = try await server.send(.POST, "/todos", json: ["title": "Milk", "priority": 2])
            #expect(created.status == 201)
            #expect(created.header("ETag") == "\"1\"")
            let body = try created.json()
            let id = try #require(body["id"]?.stringValue)
            #expect(created.header("Location") == "/todos/\(id)")
            #expect(body.objectValue.map { Array($0.keys) } == ["id", "title", "priority", "created_at", "updated_at", "version"])
            #expect(body["title"] == "Milk")
            #expect(body["version"] == 1)
            #expect(body["created_at"] == body["updated_at"])
            let createdAt = try #require(body["created_at"]?.stringValue)
            #expect(try Date(createdAt, strategy: .iso8601) <= Date())

            let read = try await server.get("/todos/\(id)")
            #expect(read.status == 200)
            #expect(read.header("ETag") == "\"1\"")
            #expect(try read.json() == body)
            let notModified = try await server.get("/todos/\(id)", headers: [("If-None-Match", "\"1\"")])
            #expect(notModified.status == 304)

            // A document read with GET can be sent back with PUT: the server's members are ignored.
            var edited = try #require(read.json().objectValue)
            edited["title"] = "Oat milk"
            edited["priority"] = nil
            edited["version"] = 99
            let replaced = try await server.send(.PUT, "/todos/\(id)", json: .object(edited))
            #expect(replaced.status == 200)
            #expect(replaced.header("ETag") == "\"2\"")
            let replacedBody = try replaced.json()
            #expect(replacedBody["title"] == "Oat milk")
            #expect(replacedBody["priority"] == nil)
            #expect(replacedBody["version"] == 2)
            #expect(replacedBody["created_at"] == body["created_at"])

            let merged = try await server.send(
                .PATCH, "/todos/\(id)", json: ["done": true, "tags": ["dairy"]], contentType: "application/merge-patch+json")
            #expect(merged.status == 200)
            #expect(try merged.json()["done"] == true)
            #expect(try merged.json()["version"] == 3)

            let patched = try await server.send(
                .PATCH, "/todos/\(id)",
                json: [
                    ["op": "test", "path": "/version", "value": 3], ["op": "add", "path": "/tags/-", "value": "oat"],
                    ["op": "remove", "path": "/done"],
                ], contentType: "application/json-patch+json")
            #expect(patched.status == 200)
            let patchedBody = try patched.json()
            #expect(patchedBody["tags"] == ["dairy", "oat"])
            #expect(patchedBody["done"] == nil)
            #expect(patchedBody["version"] == 4)
            #expect(patched.header("ETag") == "\"4\"")

            let deleted = try await server.send(.DELETE, "/todos/\(id)")
            #expect(deleted.status == 204)
            #expect(deleted.body.isEmpty)
            let gone = try await server.get("/todos/\(id)")
            try gone.expectProblem(404, "Not Found", detail: "no document with id '\(id)' in todos", instance: "/todos/\(id)")
        }
    }

    @Test func aPostedIDNamesTheDocument() async throws {
        try await EndpointsTestServer.with(endpoints: Self.todos) { server in
            let created = try await server.send(.POST, "/todos", json: ["id": "first-1", "title": "One"])
            #expect(created.status == 201)
            #expect(created.header("Location") == "/todos/first-1")
            let again = try await server.send(.POST, "/todos", json: ["id": "first-1", "title": "Two"])
            try again.expectProblem(409, "Conflict", detail: "a document with id 'first-1' already exists in todos", instance: "/todos")
            let renamed = try await server.send(.PUT, "/todos/first-1", json: ["id": "other", "title": "One"])
            try renamed.expectProblem(
                422, "Validation failed", detail: "the document is invalid: 1 error", instance: "/todos/first-1",
                type: "https://trellis.dev/problems/validation",
                extra: [
                    "errors": [["pointer": "/id", "keyword": "", "message": "the id cannot change: it is 'first-1', the one in the path"]]
                ])
        }
    }

    @Test func invalidDocumentsAre422ListingEveryPointer() async throws {
        try await EndpointsTestServer.with(endpoints: Self.todos) { server in
            let response = try await server.send(
                .POST, "/todos", json: ["id": 7, "title": "", "priority": 9, "tags": ["ok", 3], "colour": "red"])
            try response.expectProblem(
                422, "Validation failed", detail: "the document is invalid: 5 errors", instance: "/todos",
                type: "https://trellis.dev/problems/validation",
                extra: [
                    "errors": [
                        [
                            "pointer": "/id", "keyword": "",
                            "message": "the id must be a string of 1 to 128 letters, digits, '-', '.', '_' or '~'",
                        ],
                        [
                            "pointer": "/title", "keyword": "/properties/title/minLength",
                            "message": "\"\" is shorter than the minimum length of 1",
                        ],
                        [
                            "pointer": "/priority", "keyword": "/properties/priority/maximum",
                            "message": "9 is greater than the maximum of 5",
                        ],
                        ["pointer": "/tags/1", "keyword": "/properties/tags/items/type", "message": "3 is a number, not string"],
                        [
                            "pointer": "/colour", "keyword": "/additionalProperties",
                            "message": "the property \"colour\" is not allowed (additionalProperties is false)",
                        ],
                    ]
                ])
            let notAnObject = try await server.send(.POST, "/todos", json: ["a list"])
            #expect(notAnObject.status == 422)
            #expect(try notAnObject.json()["errors"]?[0]?["message"] == "a document must be a JSON object, not array")
            let list = try await server.get("/todos")
            #expect(try list.json() == ["items": [], "next_cursor": nil])
        }
    }

    @Test func ifMatchThatDoesNotMatchIs412() async throws {
        try await EndpointsTestServer.with(endpoints: Self.todos) { server in
            let id = try #require(try await server.send(.POST, "/todos", json: ["title": "Bread"]).json()["id"]?.stringValue)
            let stale = [("If-Match", "\"7\"")]
            let put = try await server.send(.PUT, "/todos/\(id)", json: ["title": "Rye"], headers: stale)
            try put.expectProblem(
                412, "Precondition Failed", detail: "document '\(id)' in todos is at version 1, which does not match If-Match: \"7\"",
                instance: "/todos/\(id)")
            let patch = try await server.send(
                .PATCH, "/todos/\(id)", json: ["title": "Rye"], contentType: "application/merge-patch+json",
                headers: [("If-Match", "W/\"1\"")])
            try patch.expectProblem(
                412, "Precondition Failed", detail: "document '\(id)' in todos is at version 1, which does not match If-Match: W/\"1\"",
                instance: "/todos/\(id)")
            let delete = try await server.send(.DELETE, "/todos/\(id)", headers: stale)
            try delete.expectProblem(
                412, "Precondition Failed", detail: "document '\(id)' in todos is at version 1, which does not match If-Match: \"7\"",
                instance: "/todos/\(id)")
            #expect(try await server.get("/todos/\(id)").json()["version"] == 1)

            let matching = try await server.send(.PUT, "/todos/\(id)", json: ["title": "Rye"], headers: [("If-Match", "\"0\", \"1\"")])
            #expect(matching.status == 200)
            #expect(matching.header("ETag") == "\"2\"")
            let any = try await server.send(
                .PATCH, "/todos/\(id)", json: ["done": false], contentType: "application/merge-patch+json", headers: [("If-Match", "*")])
            #expect(any.status == 200)
            let deleted = try await server.send(.DELETE, "/todos/\(id)", headers: [("If-Match", "\"3\"")])
            #expect(deleted.status == 204)
        }
    }

    @Test func unknownIDsAre404ForEveryMethod() async throws {
        try await EndpointsTestServer.with(endpoints: Self.todos) { server in
            let detail = "no document with id 'nope' in todos"
            try await server.get("/todos/nope").expectProblem(404, "Not Found", detail: detail, instance: "/todos/nope")
            try await server.send(.PUT, "/todos/nope", json: ["title": "x"]).expectProblem(
                404, "Not Found", detail: detail, instance: "/todos/nope")
            try await server.send(.PATCH, "/todos/nope", json: ["title": "x"], contentType: "application/merge-patch+json").expectProblem(
                404, "Not Found", detail: detail, instance: "/todos/nope")
            try await server.send(.DELETE, "/todos/nope").expectProblem(404, "Not Found", detail: detail, instance: "/todos/nope")
            try await server.send(.DELETE, "/todos/nope", headers: [("If-Match", "\"1\"")]).expectProblem(
                404, "Not Found", detail: detail, instance: "/todos/nope")
        }
    }

    @Test func patchNeedsAPatchMediaType() async throws {
        try await EndpointsTestServer.with(endpoints: Self.todos) { server in
            let id = try #require(try await server.send(.POST, "/todos", json: ["title": "Tea"]).json()["id"]?.stringValue)
            let response = try await server.send(.PATCH, "/todos/\(id)", headers: [("Content-Type", "text/plain")], body: "title=Coffee")
            try response.expectProblem(
                415, "Unsupported Media Type",
                detail: "the body must be application/merge-patch+json or application/json-patch+json, not text/plain",
                instance: "/todos/\(id)")
            let post = try await server.send(.POST, "/todos", headers: [("Content-Type", "application/xml")], body: "<todo/>")
            try post.expectProblem(
                415, "Unsupported Media Type", detail: "the body must be application/json, not application/xml", instance: "/todos")
        }
    }

    @Test func bodiesOverTheLimitAre413() async throws {
        try await EndpointsTestServer.with(endpoints: Self.todos, http: ["body_limit": 64]) { server in
            let title = String(repeating: "x", count: 100)
            let response = try await server.send(.POST, "/todos", json: ["title": .string(title)])
            try response.expectProblem(
                413, "Content Too Large", detail: "the request body is 112 bytes, more than the limit of 64 bytes", instance: "/todos")
            #expect(try await server.get("/todos").json() == ["items": [], "next_cursor": nil])
        }
    }

    @Test func aFailedWriteLeavesTheCollectionUnchanged() async throws {
        try await EndpointsTestServer.with(endpoints: Self.todos) { server in
            let original = try await server.send(.POST, "/todos", json: ["title": "Eggs", "priority": 3]).json()
            let id = try #require(original["id"]?.stringValue)

            let invalidMerge = try await server.send(
                .PATCH, "/todos/\(id)", json: ["priority": 12], contentType: "application/merge-patch+json")
            #expect(invalidMerge.status == 422)
            #expect(try invalidMerge.json()["errors"]?[0]?["pointer"] == "/priority")

            // The first operation applies, the second fails: nothing is written.
            let failingPatch = try await server.send(
                .PATCH, "/todos/\(id)",
                json: [["op": "replace", "path": "/title", "value": "Duck eggs"], ["op": "replace", "path": "/missing/x", "value": 1]],
                contentType: "application/json-patch+json")
            try failingPatch.expectProblem(
                422, "Unprocessable Content",
                detail:
                    "the JSON Patch cannot be applied: operation 1 (replace /missing/x): /missing/x: the document has no member \"missing\"",
                instance: "/todos/\(id)", extra: ["operation": 1])

            let invalidPut = try await server.send(.PUT, "/todos/\(id)", json: ["priority": 1])
            #expect(invalidPut.status == 422)
            let notAPatch = try await server.send(.PATCH, "/todos/\(id)", json: ["op": "add"], contentType: "application/json-patch+json")
            try notAPatch.expectProblem(
                400, "Bad Request",
                detail: "the body is not a JSON Patch: operation 0: a JSON Patch must be an array of operations, not an object",
                instance: "/todos/\(id)")

            #expect(try await server.get("/todos/\(id)").json() == original)
            #expect(try await server.get("/todos").json()["items"] == [original])
        }
    }

    @Test func listsPageWithCursorsFilterAndSort() async throws {
        try await EndpointsTestServer.with(endpoints: Self.todos) { server in
            for (title, priority) in [("a", 1), ("b", 2), ("c", 2), ("d", 3), ("e", 2), ("f", 5)] {
                #expect(
                    try await server.send(.POST, "/todos", json: ["title": .string(title), "priority": JSONValue(priority)]).status == 201)
            }
            func titles(_ response: EndpointsTestResponse) throws -> [String] {
                try response.json()["items"]?.arrayValue?.compactMap { $0["title"]?.stringValue } ?? []
            }
            let first = try await server.get("/todos?sort=title&limit=2")
            #expect(try titles(first) == ["a", "b"])
            let cursor = try #require(try first.json()["next_cursor"]?.stringValue)
            let encoded = cursor.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let second = try await server.get("/todos?sort=title&limit=2&cursor=\(encoded)")
            #expect(try titles(second) == ["c", "d"])

            // Default page size is min(20, max_limit) = 3.
            var seen: [String] = []
            var next: String? = nil
            repeat {
                let query =
                    "/todos?priority=2&sort=-title"
                    + (next.map { "&cursor=\($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)" } ?? "")
                let page = try await server.get(query)
                #expect(page.status == 200)
                seen += try titles(page)
                next = try page.json()["next_cursor"]?.stringValue
            } while next != nil
            #expect(seen == ["e", "c", "b"])
            #expect(try titles(await server.get("/todos?title=f")) == ["f"])

            try await server.get("/todos?limit=4").expectProblem(
                400, "Bad Request", detail: "limit must be an integer from 1 to 3, not '4'", instance: "/todos")
            try await server.get("/todos?colour=red").expectProblem(
                400, "Bad Request",
                detail:
                    "unknown query parameter 'colour': besides limit, cursor and sort, only indexed fields filter the list; indexed fields of todos: title, priority, status",
                instance: "/todos")
            try await server.get("/todos?sort=-colour").expectProblem(
                400, "Bad Request",
                detail:
                    "cannot sort by 'colour': sort by id, created_at, updated_at, title, priority, status, with a leading '-' for descending order",
                instance: "/todos")
            try await server.get("/todos?priority=high").expectProblem(
                400, "Bad Request", detail: "the filter priority=high needs an integer, as priority is an integer field", instance: "/todos"
            )
            try await server.get("/todos?cursor=garbage").expectProblem(
                400, "Bad Request", detail: "the cursor 'garbage' is not one this collection issued", instance: "/todos")
        }
    }

    @Test func methodsLimitTheOperations() async throws {
        let readOnly: JSONValue = [["path": "/notes", "mode": "database", "collection": "notes", "methods": ["GET"]]]
        try await EndpointsTestServer.with(endpoints: readOnly) { server in
            #expect(try await server.get("/notes").json() == ["items": [], "next_cursor": nil])
            let post = try await server.send(.POST, "/notes", json: ["text": "hi"])
            try post.expectProblem(405, "Method Not Allowed", detail: "POST is not allowed on /notes; allowed: GET", instance: "/notes")
        }
    }
}
