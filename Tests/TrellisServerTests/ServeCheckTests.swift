import Foundation
import Testing
import TrellisJSON

/// `trellis check` and `trellis systems`, run as a user would.
@Suite struct ServeCheckTests {
    @Test func theExamplesAndTheDefaultsAreValid() async throws {
        let directory = try ServeDirectory()
        for name in ["hello", "todo", "gateway"] {
            let result = try await TrellisProcess.run(["check", "--config", Examples.configPath(name)], in: directory)
            #expect(result.status == 0, "\(name): \(result.output)")
            #expect(result.output == "\(Examples.configPath(name)) is valid\n")
        }
        let defaults = try await TrellisProcess.run(["check"], in: directory)
        #expect(defaults.status == 0)
        #expect(defaults.output == "the default configuration is valid\n")
    }

    @Test func aYAMLSyntaxErrorIsReportedWithLineAndColumn() async throws {
        let directory = try ServeDirectory()
        try directory.write("trellis.yaml", "name: broken\nserver:\n  port: [8080\n")
        let result = try await TrellisProcess.run(["check"], in: directory)
        #expect(result.status == 1)
        #expect(result.output == "trellis.yaml:4:1: YAML syntax error: while parsing a flow sequence did not find expected ',' or ']'\n")
    }

    @Test func unknownKeysAreReportedInTheOrderOfTheFile() async throws {
        let directory = try ServeDirectory()
        try directory.write(
            "trellis.yaml",
            """
            name: typo
            colour: red
            server:
              port: 8080
              hots: 0.0.0.0
            systems:
              http:
                confg: {}
            """)
        let result = try await TrellisProcess.run(["check", "--config", "trellis.yaml"], in: directory)
        #expect(result.status == 1)
        #expect(
            result.output == """
                trellis.yaml:2: /colour: unknown key 'colour'
                trellis.yaml:5: /server/hots: unknown key 'hots'
                trellis.yaml:8: /systems/http/confg: unknown key 'confg'

                """)
    }

    @Test func systemConfigsAndEveryEndpointAreChecked() async throws {
        let directory = try ServeDirectory()
        try directory.write(
            "trellis.yaml",
            """
            name: bad-config
            systems:
              database:
                config:
                  busy_timeout_ms: -1
            endpoints:
              - path: /a
                mode: mock
                status: 700
              - path: /flows/run
                mode: flow
              - path: /c
                mode: teleport
              - path: hello/{name}
                mode: mock
              - path: /a
                mode: mock
            """)
        let result = try await TrellisProcess.run(["check"], in: directory)
        #expect(result.status == 1)
        #expect(
            result.output == """
                trellis.yaml:5: /systems/database/config/busy_timeout_ms: -1 is less than the minimum of 0
                trellis.yaml:9: /endpoints/0/status: 700 is greater than the maximum of 599
                trellis.yaml:11: /endpoints/1/mode: mode 'flow' requires the flows system
                trellis.yaml:13: /endpoints/2/mode: "teleport" is not one of "mock", "database", "proxy", "flow"
                trellis.yaml:14: /endpoints/3/path: the path must start with '/'
                trellis.yaml:16: /endpoints/4/path: GET /a is already served by /endpoints/0 (/a); each method and path may be served once

                """)
    }

    @Test func serveRefusesWhatCheckRefuses() async throws {
        let directory = try ServeDirectory()
        try directory.write("trellis.yaml", "endpoints:\n  - path: /flows/run\n    mode: flow\n")
        let result = try await TrellisProcess.run(["serve", "--port", "0"], in: directory)
        #expect(result.status == 1)
        #expect(result.output == "")
        #expect(
            result.error == """
                error: the configuration has problems:
                trellis.yaml:3: /endpoints/0/mode: mode 'flow' requires the flows system

                """)
    }

    /// The systems of this issue; other built-in systems may come and go around them.
    static let coreSystems: Set<String> = ["database", "http", "endpoints", "server"]

    @Test func systemsShowsTheReasonChainOfADisabledSystem() async throws {
        let directory = try ServeDirectory()
        try directory.write("trellis.yaml", "systems:\n  database:\n    enabled: false\n")
        let text = try await TrellisProcess.run(["systems"], in: directory)
        #expect(text.status == 0)
        // One headline a system, in start order, then its requires / provides / consumes, indented.
        let headlines = text.output.split(separator: "\n").filter { !$0.hasPrefix(" ") }
            .filter { Self.coreSystems.contains(String($0.prefix { $0 != " " })) }
        #expect(
            headlines == [
                "database 1.0.0  disabled: disabled in trellis.yaml:3",
                "http 1.0.0  enabled",
                "endpoints 1.0.0  disabled: it consumes 'storage.documents' from database, which is disabled in trellis.yaml:3",
                "server 1.0.0  enabled",
            ])
        #expect(
            text.output.contains(
                "endpoints 1.0.0  disabled: it consumes 'storage.documents' from database, which is disabled in trellis.yaml:3\n    requires: http\n    consumes: http.routes, storage.documents\n"
            ))

        try directory.write("trellis.yaml", "systems:\n  http:\n    enabled: false\n")
        let json = try await TrellisProcess.run(["systems", "--json"], in: directory)
        #expect(json.status == 0)
        let rows = try JSONValue(parsing: Array(json.output.utf8))["systems"]?.arrayValue ?? []
        let core = rows.filter { Self.coreSystems.contains($0["id"]?.stringValue ?? "") }.map { row in
            JSONValue.object(row.objectValue!.filter { ["id", "enabled", "reason", "requires"].contains($0.key) })
        }
        #expect(
            core == [
                ["id": "database", "enabled": true, "requires": []],
                ["id": "http", "enabled": false, "reason": "disabled in trellis.yaml:3", "requires": []],
                [
                    "id": "endpoints", "enabled": false, "reason": "it requires http, which is disabled in trellis.yaml:3",
                    "requires": ["http"],
                ],
                [
                    "id": "server", "enabled": false, "reason": "it requires http, which is disabled in trellis.yaml:3",
                    "requires": ["http"],
                ],
            ])
        let endpoints = rows.first { $0["id"] == "endpoints" }
        #expect(endpoints?["version"] == "1.0.0")
        #expect(endpoints?["provides"] == [])
        #expect(endpoints?["consumes"] == ["http.routes", "storage.documents"])
    }

    /// The server lists endpoints as optional: it only starts after them, so turning them off leaves it running.
    @Test func disablingEndpointsLeavesTheServerSystemEnabled() async throws {
        let directory = try ServeDirectory()
        try directory.write("trellis.yaml", "systems: { endpoints: { enabled: false } }\n")
        let plan = try await PlanRow.read(in: directory).filter { Self.coreSystems.contains($0.id) }
        #expect(
            plan == [
                PlanRow(id: "database", enabled: true, reason: nil), PlanRow(id: "http", enabled: true, reason: nil),
                PlanRow(id: "endpoints", enabled: false, reason: "disabled in trellis.yaml:1"),
                PlanRow(id: "server", enabled: true, reason: nil),
            ])
    }
}
