import Foundation
import Testing
import TrellisCore
import TrellisJSON
import TrellisServer

/// Runtime config versions live in the SQLite file of the data dir, so they outlive the process.
@Suite struct ServeRuntimeConfigTests {
    static let config = """
        name: runtime
        endpoints:
          - path: /from-file
            mode: mock
            body: { from: file }
        """

    @Test func aRuntimeChangeSurvivesARestart() async throws {
        let directory = try ServeDirectory()
        let config = try directory.write("trellis.yaml", Self.config)
        let data = directory.path("data")
        try await InProcessServer.with(configPath: config, dataDirectory: data) { running, client in
            try await client.get("/from-runtime").expectProblem(
                404, "Not Found", detail: "nothing is served at /from-runtime", instance: "/from-runtime")
            let kernel = running.server.kernel
            let preview = try await kernel.propose(
                "endpoints",
                JSONPatch([.add(path: "/endpoints/-", value: ["path": "/from-runtime", "mode": "mock", "body": ["from": "runtime"]])]))
            #expect(preview.errors.isEmpty)
            let version = try await kernel.apply(preview, actor: "admin", reason: "add an endpoint")
            #expect(version.number == 1)
            #expect(try await client.get("/from-runtime").text == #"{"from":"runtime"}"#)
        }
        try await InProcessServer.with(configPath: config, dataDirectory: data) { running, client in
            #expect(try await client.get("/from-runtime").text == #"{"from":"runtime"}"#)
            #expect(try await client.get("/from-file").text == #"{"from":"file"}"#)
            let history = try await running.server.kernel.history(of: "endpoints")
            #expect(history.map(\.number) == [1])
            #expect(history.map(\.actor) == ["admin"])
            #expect(history.map(\.reason) == ["add an endpoint"])
        }
    }

    /// A reload stores the file's section as a version (actor `file`); an edit made while the
    /// server is down must still win at the next start, rather than the stored copy of the old file.
    @Test func anEditMadeWhileStoppedWinsOverTheVersionAReloadStored() async throws {
        let directory = try ServeDirectory()
        let config = try directory.write("trellis.yaml", Self.config)
        let data = directory.path("data")
        try await InProcessServer.with(configPath: config, dataDirectory: data) { running, client in
            try directory.write("trellis.yaml", Self.config + "\n  - { path: /reloaded, mode: mock, text: reloaded }\n")
            try await running.server.reload()
            #expect(try await client.get("/reloaded").text == "reloaded")
        }
        try directory.write("trellis.yaml", Self.config + "\n  - { path: /edited, mode: mock, text: edited }\n")
        try await InProcessServer.with(configPath: config, dataDirectory: data) { running, client in
            #expect(try await client.get("/edited").text == "edited")
            #expect(try await client.get("/reloaded").status == 404)
            let history = try await running.server.kernel.history(of: "endpoints")
            #expect(history.map(\.actor) == ["file", "file"])
            #expect(history.map(\.reason) == ["trellis.yaml changed", "trellis.yaml changed while the server was stopped"])
        }
        // Unchanged since: nothing more is recorded.
        try await InProcessServer.with(configPath: config, dataDirectory: data) { running, _ in
            let history = try await running.server.kernel.history(of: "endpoints")
            #expect(history.count == 2)
        }
    }

    @Test func aRejectedReloadSaysWhyAndChangesNothing() async throws {
        let directory = try ServeDirectory()
        let config = try directory.write("trellis.yaml", Self.config)
        try await InProcessServer.with(configPath: config, dataDirectory: directory.path("data")) { running, client in
            try directory.write(
                "trellis.yaml",
                Self.config.replacingOccurrences(of: "{ from: file }", with: "{ from: edit }")
                    + "\n  - path: /things\n    mode: database\n    collection: Things\n    schema: { type: thing }\n")
            await #expect {
                try await running.server.reload()
            } throws: { error in
                "\(error)" == """
                    \(config) was not applied:
                    trellis.yaml:8: /endpoints/1/collection: "Things" does not match the pattern ^[a-z][a-z0-9_]*$
                    trellis.yaml:9: /endpoints/1/schema/type: the schema is invalid: "thing" does not match any of the 2 schemas in anyOf
                    """
            }
            #expect(try await client.get("/from-file").text == #"{"from":"file"}"#)
            #expect(try await running.server.kernel.history(of: "endpoints").isEmpty)
        }
    }
}
