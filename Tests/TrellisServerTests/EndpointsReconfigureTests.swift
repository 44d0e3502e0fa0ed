import Foundation
import Testing
import TrellisCore
import TrellisJSON

@Suite struct EndpointsReconfigureTests {
    @Test func endpointsChangeWithoutAFailedRequest() async throws {
        let endpoints: JSONValue = [
            ["path": "/a", "mode": "mock", "body": ["version": 1]],
            ["path": "/slow", "mode": "mock", "delay_ms": 400, "body": ["version": 1]],
        ]
        try await EndpointsTestServer.with(endpoints: endpoints) { server in
            let failures = EndpointsLocked<[String]>([])
            let seen = EndpointsLocked<Set<JSONValue>>([])
            let stop = EndpointsGate()
            let clients = (0..<4).map { _ in
                Task {
                    var count = 0
                    while !stop.isOpen {
                        do {
                            let response = try await server.get("/a")
                            if response.status == 200 {
                                let body = try response.json()
                                seen.update { _ = $0.insert(body) }
                            } else {
                                failures.update { $0.append("status \(response.status): \(response.text)") }
                            }
                        } catch {
                            failures.update { $0.append("\(error)") }
                        }
                        count += 1
                    }
                    return count
                }
            }
            // A request in flight when the routes change finishes on the old ones.
            let inFlight = Task { try await server.get("/slow") }
            try await Task.sleep(for: .milliseconds(150))
            try await server.reconfigure(
                JSONPatch([
                    .replace(path: "/endpoints/0/body/version", value: 2),
                    .remove(path: "/endpoints/1"),
                    .add(path: "/endpoints/-", value: ["path": "/b/{id}", "mode": "mock", "text": "b {{params.id}}"]),
                ]))
            let slow = try await inFlight.value
            #expect(slow.status == 200)
            #expect(try slow.json() == ["version": 1])
            #expect(try await server.get("/a").json() == ["version": 2])
            #expect(try await server.get("/b/7").text == "b 7")
            try await server.get("/slow").expectProblem(404, "Not Found", detail: "nothing is served at /slow", instance: "/slow")
            try await Task.sleep(for: .milliseconds(100))
            stop.open()
            var requests = 0
            for client in clients { requests += await client.value }
            #expect(failures.value == [])
            #expect(requests > 20)
            #expect(seen.value == [["version": 1], ["version": 2]])
        }
    }

    @Test func anInvalidChangeKeepsTheOldEndpoints() async throws {
        let endpoints: JSONValue = [["path": "/a", "mode": "mock", "body": ["version": 1]]]
        try await EndpointsTestServer.with(endpoints: endpoints) { server in
            await #expect {
                try await server.reconfigure(
                    JSONPatch([
                        .replace(path: "/endpoints/0/body/version", value: 2),
                        .add(path: "/endpoints/-", value: ["path": "/run", "mode": "flow"]),
                    ]))
            } throws: { error in
                let change = error as? ConfigChangeError
                return change?.code == .reconfigureFailed
                    && change?.message
                        == "endpoints rejected the new config: the endpoints config is invalid: /endpoints/1/mode: mode 'flow' requires the flows system; the old config stays in force"
            }
            #expect(try await server.get("/a").json() == ["version": 1])
            try await server.get("/run").expectProblem(404, "Not Found", detail: "nothing is served at /run", instance: "/run")
            #expect(await server.harness.kernel.maskedConfig(of: "endpoints")?["endpoints"]?[0]?["body"] == ["version": 1])
        }
    }

    @Test func aCollectionAddedAtRuntimeIsCreatedAndServed() async throws {
        try await EndpointsTestServer.with(endpoints: []) { server in
            #expect(try await Self.healthMessage(server) == "serving 0 endpoints (0 routes)")
            try await server.get("/later").expectProblem(404, "Not Found", detail: "nothing is served at /later", instance: "/later")
            try await server.reconfigure(
                JSONPatch([
                    .add(
                        path: "/endpoints/-",
                        value: [
                            "path": "/later", "mode": "database", "collection": "later",
                            "schema": ["type": "object", "required": ["n"]], "indexes": [["name": "n", "type": "integer"]],
                        ])
                ]))
            #expect(try await Self.healthMessage(server) == "serving 1 endpoint (6 routes)")
            let created = try await server.send(.POST, "/later", json: ["n": 5])
            #expect(created.status == 201)
            #expect(try await server.get("/later?n=5").json()["items"]?.arrayValue?.count == 1)
        }
    }

    static func healthMessage(_ server: EndpointsTestServer) async throws -> String? {
        let health = await server.harness.kernel.health()
        let endpoints = try #require(health.systems.first { $0.id == "endpoints" })
        #expect(endpoints.report?.status == .up)
        return endpoints.report?.message
    }
}
