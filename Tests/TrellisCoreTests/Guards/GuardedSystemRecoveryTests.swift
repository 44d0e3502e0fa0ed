import Testing
import TrellisCore
import TrellisJSON

/// What lets a misbehaving system be rehearsed and brought back: control calls its bulkhead
/// cannot refuse, and systems that stay off until trellis.yaml asks for them.
@Suite struct GuardedSystemRecoveryTests {
    @Test func aSystemWhoseSlotsAreAllHeldCanStillBeReconfiguredAndStopped() async throws {
        let gate = Gate()
        var system = ReconfigurableTestSystem(
            SystemManifest(
                id: "stuck", version: "1.0.0", summary: "stuck", configSchema: ["type": "object"], defaults: ["cure": false],
                guardPolicy: GuardPolicy(timeout: .milliseconds(50), maxConcurrent: 1)))
        // The cure: a new config releases what hangs, as the chaos system's does.
        system.onReconfigure = { _, _ in gate.open() }
        let log = HookLog()
        system.base.log = log
        let kernel = try makeKernel([system])
        let running = try await start(kernel)
        let stuck = try #require(kernel.guards["stuck"])
        await #expect(throws: GuardError.timedOut(system: "stuck", hook: "work", limit: .milliseconds(50))) {
            try await stuck.call("work") { await gate.wait() }
        }
        await #expect(throws: GuardError.concurrencyLimit(system: "stuck", hook: "work", limit: 1)) {
            try await stuck.call("work") { 1 }
        }
        let preview = try await kernel.propose("stuck", JSONPatch([.replace(path: "/cure", value: true)]))
        try await kernel.apply(preview, actor: "test", reason: "cure it")
        #expect(await eventually { stuck.callsInFlight == 0 })
        #expect(try await stuck.call("work") { 42 } == 42)
        try await running.shutdown()
        #expect(log.all.contains("stuck.stop"))
        #expect(await kernel.state(of: "stuck") == .stopped)
    }

    @Test func aSystemOffByDefaultRunsOnlyWhenTheFileEnablesIt() async throws {
        let manifest = SystemManifest(id: "drill", version: "1.0.0", summary: "drill", enabledByDefault: false)
        let dependent = SystemManifest.test("listener", requires: ["drill"])
        let off = try makeKernel([TestSystem(manifest), TestSystem(dependent)])
        #expect(off.plan.disabled["drill"] == "disabled in trellis.yaml (off by default, set systems.drill.enabled: true)")
        #expect(
            off.plan.disabled["listener"]
                == "it requires drill, which is disabled in trellis.yaml (off by default, set systems.drill.enabled: true)")
        let on = try makeKernel(
            [TestSystem(manifest), TestSystem(dependent)],
            file: FileConfiguration(systems: ["drill": FileConfiguration.SystemEntry(enabled: true)]))
        #expect(on.plan.disabled.isEmpty)
    }
}
