import Foundation
import Testing
import TrellisJSON

/// Each example in `examples/`, served as its README says, answering its README's curl commands.
@Suite struct ExampleTests {
    @Test func hello() async throws {
        let directory = try ServeDirectory()
        try await InProcessServer.with(configPath: Examples.configPath("hello"), dataDirectory: directory.path("hello-data")) { _, client in
            // curl -i http://127.0.0.1:8080/hello/Ada
            let ada = try await client.get("/hello/Ada")
            #expect(ada.status == 200)
            #expect(ada.header("Content-Type") == "application/json")
            #expect(ada.header("X-Greeting") == "Hello Ada")
            #expect(ada.text == #"{"message":"Hello, Ada!","lang":"en"}"#)

            // curl 'http://127.0.0.1:8080/hello/Ada%20Lovelace?lang=fr'
            let french = try await client.get("/hello/Ada%20Lovelace?lang=fr")
            #expect(french.text == #"{"message":"Hello, Ada Lovelace!","lang":"fr"}"#)
            #expect(french.header("X-Greeting") == "Hello Ada Lovelace")

            // curl -i http://127.0.0.1:8080/teapot
            let teapot = try await client.get("/teapot")
            #expect(teapot.status == 418)
            #expect(teapot.header("Content-Type") == "text/plain; charset=utf-8")
            #expect(teapot.header("Cache-Control") == "no-store")
            #expect(teapot.header("X-Brewed-By") == "trellis")
            #expect(teapot.text == "I'm a teapot\n")

            // curl -i -X POST http://127.0.0.1:8080/ping
            let ping = try await client.send(.POST, "/ping")
            #expect(ping.status == 202)
            #expect(ping.text == #"{"pong":true}"#)

            // curl -i http://127.0.0.1:8080/ping
            let get = try await client.get("/ping")
            try get.expectProblem(405, "Method Not Allowed", detail: "GET is not allowed on /ping; allowed: POST", instance: "/ping")
            #expect(get.header("Allow") == "POST")

            // curl http://127.0.0.1:8080/ (its endpoints: the declared ones, then the routes systems mount under /api/v1/)
            let welcome = try await client.get("/").json()
            #expect(welcome["name"] == "hello")
            #expect(welcome["message"] == "Trellis is running. This is the welcome document; the links say where to go next.")
            #expect(welcome["links"] == ["health": "/health"])
            let endpoints = welcome["endpoints"]?.arrayValue ?? []
            #expect(
                endpoints.filter { !($0.stringValue ?? "").contains(" /api/v1/") } == ["GET /hello/{name}", "GET /teapot", "POST /ping"])
        }
    }

    @Test func todo() async throws {
        let directory = try ServeDirectory()
        try await InProcessServer.with(configPath: Examples.configPath("todo"), dataDirectory: directory.path("todo-data")) {
            running, client in
            #expect(running.banner.contains("  database:  \(directory.path("todo-data"))/todo.db\n"))

            // curl -i -X POST http://127.0.0.1:8080/todos -H 'Content-Type: application/json' -d '{"id":"milk","title":"Buy milk"}'
            let milk = try await client.send(.POST, "/todos", json: #"{"id":"milk","title":"Buy milk"}"#)
            #expect(milk.status == 201)
            #expect(milk.header("Location") == "/todos/milk")
            #expect(milk.header("ETag") == #""1""#)
            let milkCreated = try Self.timestamp(milk, "created_at")
            #expect(try Self.timestamp(milk, "updated_at") == milkCreated)
            #expect(
                milk.text == #"{"id":"milk","title":"Buy milk","created_at":"\#(milkCreated)","updated_at":"\#(milkCreated)","version":1}"#)

            // curl -X POST http://127.0.0.1:8080/todos -H 'Content-Type: application/json' -d '{"id":"bread","title":"Bake bread","done":true}'
            let bread = try await client.send(.POST, "/todos", json: #"{"id":"bread","title":"Bake bread","done":true}"#)
            #expect(bread.status == 201)
            let breadCreated = try Self.timestamp(bread, "created_at")
            let breadText =
                #"{"id":"bread","title":"Bake bread","done":true,"created_at":"\#(breadCreated)","updated_at":"\#(breadCreated)","version":1}"#
            #expect(bread.text == breadText)

            // curl 'http://127.0.0.1:8080/todos?done=1'
            #expect(try await client.get("/todos?done=1").text == #"{"items":[\#(breadText)],"next_cursor":null}"#)
            #expect(try await client.get("/todos?done=0").text == #"{"items":[],"next_cursor":null}"#)

            // curl -X PATCH http://127.0.0.1:8080/todos/milk -H 'Content-Type: application/merge-patch+json' -d '{"done":true}'
            let patched = try await client.send(.PATCH, "/todos/milk", json: #"{"done":true}"#, contentType: "application/merge-patch+json")
            #expect(patched.status == 200)
            #expect(patched.header("ETag") == #""2""#)
            let milkUpdated = try Self.timestamp(patched, "updated_at")
            let milkText =
                #"{"id":"milk","title":"Buy milk","done":true,"created_at":"\#(milkCreated)","updated_at":"\#(milkUpdated)","version":2}"#
            #expect(patched.text == milkText)

            // curl 'http://127.0.0.1:8080/todos?done=1&limit=1'
            let page = try await client.get("/todos?done=1&limit=1").json()
            #expect(page["items"] == [try JSONValue(parsing: Array(breadText.utf8))])
            let cursor = try #require(page["next_cursor"]?.stringValue)
            let next = try await client.get("/todos?done=1&limit=1&cursor=\(cursor)")
            #expect(next.text == #"{"items":[\#(milkText)],"next_cursor":null}"#)

            // curl -i -X POST http://127.0.0.1:8080/todos -H 'Content-Type: application/json' -d '{"title":"","colour":"red"}'
            let invalid = try await client.send(.POST, "/todos", json: #"{"title":"","colour":"red"}"#)
            try invalid.expectProblem(
                422, "Validation failed", detail: "the document is invalid: 2 errors", instance: "/todos",
                type: "https://trellis.dev/problems/validation",
                extra: [
                    "errors": [
                        [
                            "pointer": "/title", "keyword": "/properties/title/minLength",
                            "message": #""" is shorter than the minimum length of 1"#,
                        ],
                        [
                            "pointer": "/colour", "keyword": "/additionalProperties",
                            "message": #"the property "colour" is not allowed (additionalProperties is false)"#,
                        ],
                    ]
                ])

            // curl -i -X POST http://127.0.0.1:8080/todos -H 'Content-Type: text/plain' -d 'Buy milk'
            let plain = try await client.send(.POST, "/todos", headers: [("Content-Type", "text/plain")], body: "Buy milk")
            try plain.expectProblem(
                415, "Unsupported Media Type", detail: "the body must be application/json, not text/plain", instance: "/todos")

            // curl -i -X PUT http://127.0.0.1:8080/todos/milk -H 'If-Match: "1"' -H 'Content-Type: application/json' -d '{"title":"Buy oat milk"}'
            let stale = try await client.send(.PUT, "/todos/milk", json: #"{"title":"Buy oat milk"}"#, headers: [("If-Match", #""1""#)])
            try stale.expectProblem(
                412, "Precondition Failed", detail: #"document 'milk' in todos is at version 2, which does not match If-Match: "1""#,
                instance: "/todos/milk")

            // curl -i -X DELETE http://127.0.0.1:8080/todos/bread
            let deleted = try await client.send(.DELETE, "/todos/bread")
            #expect(deleted.status == 204)
            #expect(deleted.body.isEmpty)

            // curl http://127.0.0.1:8080/todos/bread
            try await client.get("/todos/bread").expectProblem(
                404, "Not Found", detail: "no document with id 'bread' in todos", instance: "/todos/bread")
            #expect(try await client.get("/todos").text == #"{"items":[\#(milkText)],"next_cursor":null}"#)
        }
    }

    @Test func gateway() async throws {
        let directory = try ServeDirectory()
        // The README's upstream: the hello example on another port (here a free one, instead of 8081).
        let upstream = try await InProcessServer.start(
            configPath: Examples.configPath("hello"), dataDirectory: directory.path("hello-data"))
        let example = try Examples.config("gateway")
        #expect(example.contains("http://127.0.0.1:8081"))
        let config = try directory.write(
            "trellis.yaml", example.replacingOccurrences(of: "127.0.0.1:8081", with: "127.0.0.1:\(upstream.port)"))
        do {
            try await InProcessServer.with(configPath: config, dataDirectory: directory.path("gateway-data")) { _, client in
                // curl -i http://127.0.0.1:8080/greetings/Ada
                let greeting = try await client.get("/greetings/Ada")
                #expect(greeting.status == 200)
                #expect(greeting.header("Content-Type") == "application/json")
                #expect(greeting.header("X-Greeting") == "Hello Ada")
                #expect(greeting.text == #"{"message":"Hello, Ada!","lang":"en"}"#)

                // curl 'http://127.0.0.1:8080/greetings/Ada?lang=fr'
                #expect(try await client.get("/greetings/Ada?lang=fr").text == #"{"message":"Hello, Ada!","lang":"fr"}"#)

                // curl -i http://127.0.0.1:8080/upstream/teapot
                let teapot = try await client.get("/upstream/teapot")
                #expect(teapot.status == 418)
                #expect(teapot.header("X-Brewed-By") == "trellis")
                #expect(teapot.text == "I'm a teapot\n")

                // curl -i -X POST http://127.0.0.1:8080/upstream/ping
                let ping = try await client.send(.POST, "/upstream/ping")
                #expect(ping.status == 202)
                #expect(ping.text == #"{"pong":true}"#)

                // curl -i -X POST http://127.0.0.1:8080/greetings/Ada: the gateway only forwards GET there.
                try await client.send(.POST, "/greetings/Ada").expectProblem(
                    405, "Method Not Allowed", detail: "POST is not allowed on /greetings/Ada; allowed: GET", instance: "/greetings/Ada")

                // curl http://127.0.0.1:8080/gateway
                #expect(try await client.get("/gateway").text == #"{"upstream":"http://127.0.0.1:\#(upstream.port)"}"#)

                // With the upstream stopped: curl -i http://127.0.0.1:8080/greetings/Ada
                try await upstream.stop()
                try await client.get("/greetings/Ada").expectProblem(
                    502, "Bad Gateway", detail: "the upstream http://127.0.0.1:\(upstream.port)/hello cannot be reached",
                    instance: "/greetings/Ada")
            }
        } catch {
            try? await upstream.stop()
            throw error
        }
    }

    /// A document's timestamp member: RFC 3339 UTC with milliseconds.
    static func timestamp(_ response: EndpointsTestResponse, _ member: String) throws -> String {
        let value = try #require(try response.json()[member]?.stringValue)
        #expect(value.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/) != nil, "\(member): \(value)")
        return value
    }
}
