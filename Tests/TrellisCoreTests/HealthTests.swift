import Testing
import TrellisCore
import TrellisJSON
import TrellisTesting

/// A system that reports `report` from its health hook.
private func reporting(_ id: String, _ report: HealthReport, critical: Bool = false) -> TestSystem {
    var system = TestSystem(.test(id, critical: critical, timeLimits: HookTimeLimits(health: .milliseconds(100))))
    system.onHealth = { _ in report }
    return system
}

private func health(of systems: [any System], file: FileConfiguration = FileConfiguration()) async throws -> KernelHealth {
    try await withRunningKernel(try makeKernel(systems, file: file)) { kernel in await kernel.health() }
}

@Suite("Health: per-system reports, aggregated")
struct HealthTests {
    @Test("every system up: up, with each system's report")
    func allUp() async throws {
        let result = try await health(of: [
            reporting("db", HealthReport(.up, message: "connected", details: ["replicas": 3]), critical: true), reporting("cache", .up),
        ])
        #expect(result.status == .up)
        #expect(result.systems.map(\.id) == ["cache", "db"])
        #expect(result.systems.map(\.state) == ["running", "running"])
        #expect(result.systems.map(\.critical) == [false, true])
        #expect(result.systems[1].report == HealthReport(.up, message: "connected", details: ["replicas": 3]))
    }

    @Test(
        "aggregation",
        arguments: [
            // (report of a non-critical system, report of a critical one, overall)
            (HealthReport.Status.up, HealthReport.Status.up, HealthReport.Status.up),
            (.degraded, .up, .degraded),
            (.down, .up, .degraded),
            (.up, .degraded, .degraded),
            (.up, .down, .down),
            (.down, .down, .down),
        ])
    func aggregation(nonCritical: HealthReport.Status, critical: HealthReport.Status, overall: HealthReport.Status) async throws {
        let result = try await health(of: [
            reporting("cache", HealthReport(nonCritical)), reporting("db", HealthReport(critical), critical: true),
        ])
        #expect(result.status == overall)
        #expect(result.systems.map(\.report?.status) == [nonCritical, critical])
    }

    @Test("a failed system makes the server degraded and is reported down with its reason")
    func failedSystem() async throws {
        var broken = TestSystem(.test("search"))
        broken.onStart = { _ in throw Boom("index missing") }
        let result = try await health(of: [broken, reporting("db", .up, critical: true)])
        #expect(result.status == .degraded)
        let search = try #require(result.systems.first { $0.id == "search" })
        #expect(search.state == "failed")
        #expect(search.report == HealthReport(.down, message: "failed to start: index missing"))
    }

    @Test("a disabled system has no report and does not count")
    func disabledSystem() async throws {
        let result = try await health(
            of: [reporting("search", HealthReport(.down)), reporting("db", .up)],
            file: FileConfiguration(systems: ["search": .init(enabled: false)]))
        #expect(result.status == .up)
        #expect(result.systems.first { $0.id == "search" }?.state == "disabled")
        #expect(result.systems.first { $0.id == "search" }?.report == nil)
    }

    @Test("a health hook that hangs times out and is reported down", arguments: [false, true])
    func hangingHealth(critical: Bool) async throws {
        var hanging = TestSystem(.test("slow", critical: critical, timeLimits: HookTimeLimits(health: .milliseconds(100))))
        hanging.onHealth = { _ in
            await Task { try? await Task.sleep(for: .seconds(30)) }.value
            return .up
        }
        // Only the health call is timed: booting and stopping the kernel around it is not what is measured.
        let (result, elapsed) = try await withRunningKernel(try makeKernel([hanging])) { kernel in
            let began = StallWatch.shared.now
            let result = await kernel.health()
            return (result, StallWatch.shared.runningTime(since: began))
        }
        #expect(elapsed < .seconds(10), "health() took \(elapsed) with a 0.1 s limit and a 30 s hang")
        #expect(result.status == (critical ? .down : .degraded))
        #expect(
            result.systems.first?.report
                == HealthReport(.down, message: "health check failed: slow.health did not finish within 0.1 seconds"))
    }

    @Test("a running system with an open or half-open breaker is degraded, naming it, and up again once probes close it")
    func breakers() async throws {
        let clock = ManualGuardClock()
        let kernel = try Kernel(
            systems: [reporting("search", HealthReport(.up, message: "index loaded"))], environment: [:], guardClock: clock)
        try await withRunningKernel(kernel) { kernel in
            let search = try #require(kernel.guards["search"])
            for _ in 0..<BreakerPolicy().consecutiveFailures {
                _ = try? await search.call("beforeRequest") { () throws -> Int in throw Boom("index unreachable") }
            }
            let open = await kernel.health()
            #expect(open.status == .degraded)
            #expect(
                open.systems.first?.report
                    == HealthReport(
                        .degraded, message: "index loaded; circuit breakers: beforeRequest open",
                        details: ["breakers": ["beforeRequest": "open"]]))

            // After the open interval the next call is a probe; the breaker closes after enough succeed.
            clock.advance(by: BreakerPolicy().openDuration)
            _ = try await search.call("beforeRequest") { 1 }
            let probing = await kernel.health()
            #expect(probing.status == .degraded)
            #expect(probing.systems.first?.report?.message == "index loaded; circuit breakers: beforeRequest half_open")
            for _ in 1..<BreakerPolicy().halfOpenProbes { _ = try await search.call("beforeRequest") { 1 } }
            let recovered = await kernel.health()
            #expect(recovered.status == .up)
            #expect(recovered.systems.first?.report == HealthReport(.up, message: "index loaded"))
        }
    }

    @Test("statuses order by severity")
    func severity() {
        #expect(HealthReport.Status.up < .degraded)
        #expect(HealthReport.Status.degraded < .down)
        #expect([HealthReport.Status.down, .up, .degraded].max() == .down)
    }
}
