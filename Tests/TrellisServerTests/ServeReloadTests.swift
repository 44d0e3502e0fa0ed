import Foundation
import Testing
import TrellisJSON

/// SIGHUP re-reads trellis.yaml in the running binary: valid edits apply without a failed
/// request, invalid ones change nothing and are logged with their lines.
@Suite struct ServeReloadTests {
    static let original = """
        name: reload
        endpoints:
          - path: /stable
            mode: mock
            body: { stable: true }
          - path: /changing
            mode: mock
            body: { version: 1 }
        """

    /// One endpoint changed, one added, `/stable` untouched.
    static let edited =
        original.replacingOccurrences(of: "{ version: 1 }", with: "{ version: 2 }") + """

              - path: /added/{name}
                mode: mock
                text: "added {{params.name}}"
            """

    @Test func sighupAppliesAValidEditWithoutAFailedRequestAndRefusesInvalidOnes() async throws {
        let directory = try ServeDirectory()
        try directory.write("trellis.yaml", Self.original)
        let process = try TrellisProcess(["serve", "--config", "trellis.yaml", "--port", "0", "--data-dir", "data"], in: directory)
        let port = try await process.waitUntilListening()
        try await ServeClient.with(port: port) { client in
            // Two clients keep asking for the endpoint no edit touches, for the whole test.
            let stop = ServeFlag()
            let answered = ServeCounter()
            let loops = (0..<2).map { _ in
                Task { () -> [String] in
                    var failures: [String] = []
                    while !stop.isRaised {
                        defer { answered.increment() }
                        do {
                            let response = try await client.get("/stable")
                            if response.status != 200 || response.text != #"{"stable":true}"# {
                                failures.append("\(response.status) \(response.text)")
                            }
                        } catch {
                            failures.append("\(error)")
                        }
                    }
                    return failures
                }
            }
            /// Lets the clients answer `count` more requests, so each step happens while they run.
            func keepRequesting(_ count: Int = 10) async throws { try await answered.wait(until: answered.value + count) }

            try await keepRequesting()
            try directory.write("trellis.yaml", Self.edited)
            process.signal(SIGHUP)
            try await process.waitForError(containing: "reloaded trellis.yaml: reconfigured endpoints (version 1)")
            #expect(try await client.get("/added/Ada").text == "added Ada")
            #expect(try await client.get("/changing").text == #"{"version":2}"#)
            try await keepRequesting()

            // An unknown key: nothing changes, the error names its line.
            try directory.write(
                "trellis.yaml",
                "name: reload\ncolour: red\n" + Self.edited.dropFirst("name: reload\n".count) + "\n  - { path: /never, mode: mock }\n")
            process.signal(SIGHUP)
            try await process.waitForError(containing: "reload: trellis.yaml was not applied; the configuration in force is unchanged")
            #expect(process.standardError.contains("reload: trellis.yaml:2: /colour: unknown key 'colour'"))
            try await keepRequesting()

            // A mode the server cannot serve, and a change next to it: neither applies.
            try directory.write(
                "trellis.yaml",
                Self.edited.replacingOccurrences(of: "{ version: 2 }", with: "{ version: 3 }") + "\n  - path: /flows/run\n    mode: flow\n")
            process.signal(SIGHUP)
            try await process.waitForError(containing: "reload: trellis.yaml:13: /endpoints/3/mode: mode 'flow' requires the flows system")
            try await process.waitForError(containing: "the configuration in force is unchanged", count: 2)
            try await keepRequesting()

            // A YAML syntax error, with its line and column.
            try directory.write("trellis.yaml", "name: reload\nendpoints: [\n")
            process.signal(SIGHUP)
            try await process.waitForError(containing: "the configuration in force is unchanged", count: 3)
            #expect(process.standardError.contains("reload: trellis.yaml:3:1: YAML syntax error: "))

            #expect(try await client.get("/changing").text == #"{"version":2}"#)
            #expect(try await client.get("/added/Bo").text == "added Bo")
            try await client.get("/never").expectProblem(404, "Not Found", detail: "nothing is served at /never", instance: "/never")
            try await client.get("/flows/run").expectProblem(
                404, "Not Found", detail: "nothing is served at /flows/run", instance: "/flows/run")

            try await keepRequesting()
            stop.raise()
            for loop in loops {
                #expect(await loop.value == [])
            }
        }
        process.signal(SIGTERM)
        #expect(try await process.waitForExit() == 0)
        // Only the valid edit was recorded, as the file's change.
        #expect(process.standardError.components(separatedBy: "config of endpoints is now version").count == 2)
    }

    @Test func watchAppliesAnEditWithoutASignal() async throws {
        let directory = try ServeDirectory()
        try directory.write("trellis.yaml", Self.original)
        let process = try TrellisProcess(
            ["serve", "--config", "trellis.yaml", "--watch", "--port", "0", "--data-dir", "data"], in: directory)
        let port = try await process.waitUntilListening()
        try directory.write("trellis.yaml", Self.edited)
        try await process.waitForError(containing: "reloaded trellis.yaml: reconfigured endpoints (version 1)")
        try await ServeClient.with(port: port) { client async throws in
            #expect(try await client.get("/added/Ada").text == "added Ada")
            #expect(try await client.get("/changing").text == #"{"version":2}"#)
        }
        process.signal(SIGTERM)
        #expect(try await process.waitForExit() == 0)
    }
}
