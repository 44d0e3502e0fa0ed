import Foundation
import Testing
import TrellisChaos
import TrellisCore
import TrellisHTTP
import TrellisJSON
import TrellisServer
import TrellisTesting

/// The chaos system on its own: its switch, its refusal in production, its config schema, and
/// the event and health faults the HTTP rehearsal does not exercise.
@Suite struct ChaosSystemTests {
    /// Chaos with the real http system on a free port, `config` as trellis.yaml would give it.
    static func harness(_ chaos: ChaosSystem = ChaosSystem(environment: "development"), config: JSONValue = [:]) throws -> SystemHarness {
        try SystemHarness(systems: [HTTPSystem(), chaos], config: ["http": ["port": 0, "access_log": false], "chaos": config])
    }

    @Test func isOffUnlessTrellisYAMLEnablesIt() async throws {
        let directory = try ServeDirectory()
        let off = try directory.write("off.yaml", "name: quiet\n")
        #expect(
            try ConfigCheck.plan(path: off).plan.disabled["chaos"]
                == "disabled in off.yaml (off by default, set systems.chaos.enabled: true)")
        let on = try directory.write("on.yaml", "systems:\n  chaos: { enabled: true }\n")
        #expect(try ConfigCheck.plan(path: on).plan.disabled["chaos"] == nil)
        let explicit = try directory.write("explicit.yaml", "systems:\n  chaos:\n    enabled: false\n")
        #expect(try ConfigCheck.plan(path: explicit).plan.disabled["chaos"] == "disabled in explicit.yaml:3")
    }

    @Test func refusesToStartInProduction() async throws {
        let harness = try Self.harness(ChaosSystem(environment: "production"))
        try await harness.start()
        #expect(
            await harness.kernel.state(of: "chaos")
                == .failed(
                    reason:
                        "failed to start: chaos refuses to start with environment: production, because it injects failures on purpose; rehearse in development or staging, and remove systems.chaos.enabled from the production trellis.yaml"
                ))
        #expect(await harness.kernel.state(of: "http") == .running)
        try await harness.stop()
    }

    @Test func criticalIsReadFromItsConfigAtBoot() {
        #expect(ChaosSystem(environment: "development", critical: ChaosSystem.isCritical(["critical": true])).manifest.critical)
        #expect(!ChaosSystem(environment: "development", critical: ChaosSystem.isCritical(nil)).manifest.critical)
        #expect(!ChaosSystem(environment: "development").manifest.enabledByDefault)
    }

    @Test func schemaRejectsWhatChaosCannotDo() throws {
        let schema = try JSONSchema(ChaosConfig.schema)
        #expect(schema.validate(ChaosConfig.defaults).errors.isEmpty)
        #expect(schema.validate(["start": ["mode": "fail_start"]]).errors.isEmpty)
        let errors = schema.validate([
            "before_request": ["mode": "fail_start", "probability": 1.5],
            "health": ["mode": "hang", "delay": 10],
            "loud": true,
        ]).errors.map { "\($0.instanceLocation)" }.sorted()
        #expect(errors == ["/before_request/mode", "/before_request/probability", "/health/delay", "/loud"])
    }

    @Test func eventAndHealthFaultsAreContainedAndSwitchOffAtRuntime() async throws {
        let harness = try Self.harness(config: ["event": ["mode": "throw"], "health": ["mode": "throw"], "tick_ms": 3_600_000])
        try await harness.start()
        let outcomes = await harness.emitAndWait(ChaosSystem.tickEvent)
        #expect(outcomes.map(\.systemID) == ["chaos"])
        #expect(
            outcomes.first?.error.map { "\($0)" } == "chaos's event failed on purpose (systems.chaos.config.event.mode: throw)")
        var health = await harness.kernel.health()
        #expect(health.status == .degraded)
        #expect(
            health.systems.first { $0.id == "chaos" }?.report
                == HealthReport(.down, message: "chaos's health failed on purpose (systems.chaos.config.health.mode: throw)"))

        let preview = try await harness.kernel.propose("chaos", JSONPatch([.replace(path: "/health/mode", value: "none")]))
        try await harness.kernel.apply(preview, actor: "test", reason: "switch the health fault off")
        health = await harness.kernel.health()
        #expect(health.status == .up)
        #expect(health.systems.first { $0.id == "chaos" }?.report?.message == "rehearsing event=throw")
        try await harness.stop()
    }

    @Test func aHangEndsWhenTheConfigChanges() async throws {
        let harness = try Self.harness(config: ["event": ["mode": "hang"], "tick_ms": 3_600_000])
        try await harness.start()
        let delivered = Task { await harness.emitAndWait(ChaosSystem.tickEvent) }
        let chaosGuard = try #require(harness.kernel.guards["chaos"])
        while chaosGuard.callsInFlight == 0 { try await Task.sleep(for: .milliseconds(5)) }
        let preview = try await harness.kernel.propose("chaos", JSONPatch([.replace(path: "/event/mode", value: "none")]))
        try await harness.kernel.apply(preview, actor: "test", reason: "end the hang")
        let outcomes = await delivered.value
        #expect(outcomes.first?.succeeded == true)
        #expect(chaosGuard.callsInFlight == 0)
        try await harness.stop()
    }

    /// examples/chaos as its README runs it: chaos degrades /hello, and the rest answers.
    @Test func theExampleDegradesHelloAndNothingElse() async throws {
        let directory = try ServeDirectory()
        try await InProcessServer.with(configPath: Examples.configPath("chaos"), dataDirectory: directory.path("data")) { running, client in
            #expect(running.banner.contains("systems:   database, http, admin, chaos, endpoints, server"), "\(running.banner)")
            let hello = try await client.get("/hello")
            #expect(hello.status == 200 && hello.text == #"{"message":"Hello, World!"}"#)
            #expect(hello.header("Trellis-Degraded") == "chaos")
            let health = try await client.get("/health").json()
            let chaos = health["systems"]?.arrayValue?.first { $0["id"] == "chaos" }
            #expect(chaos?["state"] == "running")
            #expect(chaos?["message"]?.stringValue?.hasPrefix("rehearsing before_request=throw") == true, "\(String(describing: chaos))")
        }
    }
}
