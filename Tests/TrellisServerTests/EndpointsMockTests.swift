import Foundation
import Testing
import TrellisEndpoints
import TrellisJSON
import TrellisTesting

@Suite struct EndpointsMockTests {
    @Test func templatesRenderPathQueryAndHeadersIntoBodyAndHeaders() async throws {
        let endpoints: JSONValue = [
            [
                "path": "/hello/{name}", "mode": "mock", "status": 201,
                "headers": ["X-Greeting": "hi {{params.name}}", "Cache-Control": "no-store"],
                "body": [
                    "message": "Hello {{params.name}}!", "lang": "{{query.lang}}{{^query.lang}}en{{/query.lang}}",
                    "client": "{{headers.x-client}}", "count": 3, "tags": ["{{params.name}}", true, nil],
                ],
            ]
        ]
        try await EndpointsTestServer.with(endpoints: endpoints) { server in
            // Percent-decoded, and not HTML-escaped: the JSON writer does the escaping.
            let response = try await server.get("/hello/Ada%20%26%20%3Cco%3E?lang=fr&lang=de", headers: [("X-Client", "curl \"8\"")])
            #expect(response.status == 201)
            #expect(response.header("Content-Type") == "application/json")
            #expect(response.header("X-Greeting") == "hi Ada & <co>")
            #expect(response.header("Cache-Control") == "no-store")
            #expect(
                try response.json()
                    == [
                        "message": "Hello Ada & <co>!", "lang": "fr", "client": "curl \"8\"", "count": 3,
                        "tags": ["Ada & <co>", true, nil],
                    ])
            let defaults = try await server.get("/hello/Bo")
            #expect(try defaults.json() == ["message": "Hello Bo!", "lang": "en", "client": "", "count": 3, "tags": ["Bo", true, nil]])
        }
    }

    @Test func textBodiesAreTemplatesServedAsPlainText() async throws {
        let endpoints: JSONValue = [
            ["path": "/note", "mode": "mock", "text": "\nfirst line kept\n{{query.who}} was here", "methods": ["GET", "POST"]],
            ["path": "/teapot", "mode": "mock", "status": 418, "text": "short and stout", "headers": ["Content-Type": "text/x-tea"]],
            ["path": "/empty", "mode": "mock", "status": 204],
        ]
        try await EndpointsTestServer.with(endpoints: endpoints) { server in
            let note = try await server.send(.POST, "/note?who=Kilroy", body: "ignored")
            #expect(note.status == 200)
            #expect(note.header("Content-Type") == "text/plain; charset=utf-8")
            #expect(note.text == "\nfirst line kept\nKilroy was here")
            let teapot = try await server.get("/teapot")
            #expect(teapot.status == 418)
            #expect(teapot.header("Content-Type") == "text/x-tea")
            #expect(teapot.text == "short and stout")
            let empty = try await server.get("/empty")
            #expect(empty.status == 204)
            #expect(empty.body.isEmpty)
        }
    }

    @Test func delayHoldsTheResponseBack() async throws {
        let endpoints: JSONValue = [
            ["path": "/slow", "mode": "mock", "delay_ms": 300, "body": ["ok": true]],
            ["path": "/fast", "mode": "mock", "body": ["ok": true]],
        ]
        try await EndpointsTestServer.with(endpoints: endpoints) { server in
            let clock = ContinuousClock()
            let start = clock.now
            let slow = try await server.get("/slow")
            let slowElapsed = clock.now - start
            #expect(slow.status == 200)
            #expect(slowElapsed >= .milliseconds(300))
            let fastStart = StallWatch.shared.now
            _ = try await server.get("/fast")
            #expect(StallWatch.shared.runningTime(since: fastStart) < .milliseconds(300))
        }
    }

    @Test func methodsNotConfiguredAreAnswered405() async throws {
        let endpoints: JSONValue = [["path": "/only-post", "mode": "mock", "methods": ["POST"], "body": ["posted": true]]]
        try await EndpointsTestServer.with(endpoints: endpoints) { server in
            let posted = try await server.send(.POST, "/only-post")
            #expect(try posted.json() == ["posted": true])
            let response = try await server.get("/only-post")
            try response.expectProblem(
                405, "Method Not Allowed", detail: "GET is not allowed on /only-post; allowed: POST", instance: "/only-post")
            #expect(response.header("Allow") == "POST")
        }
    }
}
