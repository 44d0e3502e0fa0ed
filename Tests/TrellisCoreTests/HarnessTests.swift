import Testing
import TrellisCore
import TrellisJSON
import TrellisTesting

/// A system whose handler uses a consumed capability and emits, all through its context.
private func webhooks() -> TestSystem {
    let started = Collected<SystemContext>()
    var system = TestSystem(.test("webhooks", consumes: [.init(jobQueueKey)], emits: ["webhook.queued"], listens: ["user.created"]))
    system.onStart = { context in started.append(context) }
    system.onRegister = { registrar in
        registrar.on("user.created") { event in
            guard let context = started.all.first else { return }
            let number = try await context.capability(jobQueueKey).enqueue("deliver \(event.payload["email"]?.stringValue ?? "")")
            context.emit("webhook.queued", payload: ["job": JSONValue(number)], correlationID: event.correlationID)
        }
    }
    return system
}

@Suite("TrellisTesting: the harness and SystemCompatTest")
struct HarnessTests {
    @Test("the harness boots one system with a stand-in capability, emits events and records what was emitted")
    func standIn() async throws {
        let queue = CountingQueue()
        var standIns = StandIns()
        standIns.provide(jobQueueKey, queue)
        let harness = try SystemHarness(systems: [webhooks()], standIns: standIns)
        try await harness.start()
        let outcomes = await harness.emitAndWait("user.created", payload: ["email": "ada@example.com"])
        #expect(outcomes.map(\.systemID).contains("webhooks"))
        #expect(outcomes.allSatisfy { $0.succeeded })
        let queued = try await harness.waitForEvent(named: "webhook.queued")
        try await harness.stop()

        #expect(queue.enqueued == ["deliver ada@example.com"])
        #expect(queued.source == "webhooks")
        #expect(queued.payload == ["job": 1])
        #expect(queued.correlationID == harness.emitted(named: "user.created").first?.correlationID)
        #expect(harness.emitted(named: "user.created").first?.source == SystemHarness.harnessID)
        #expect(harness.kernel.plan.order == [SystemHarness.harnessID, "webhooks"])
    }

    @Test("without the stand-in, the harness refuses to boot, naming the missing capability")
    func missingStandIn() async {
        let error = await bootError { _ = try SystemHarness(systems: [webhooks()]) }
        #expect(messages(error) == ["webhooks consumes capability 'jobs.queue', but no system provides it"])
    }

    @Test("the harness passes config and disabled systems as trellis.yaml would")
    func configAndDisabled() async throws {
        let contexts = Collected<SystemContext>()
        let harness = try SystemHarness(
            systems: [httpSystem(contexts: contexts), TestSystem(.test("search"))], config: ["http": ["port": 8443]], disabled: ["search"],
            environment: ["TRELLIS_HTTP_HOST": "env.example"])
        try await harness.start()
        #expect(await harness.kernel.state(of: "search") == .disabled(reason: "disabled in trellis.yaml"))
        try await harness.stop()
        #expect(contexts.all.first?.config["port"] == 8443)
        #expect(contexts.all.first?.config["host"] == "env.example")
    }

    @Test("waitForEvent gives up after its timeout, listing what was seen")
    func waitTimeout() async throws {
        let harness = try SystemHarness(systems: [TestSystem(.test("quiet"))])
        try await harness.start()
        harness.emit("user.created")
        await #expect(throws: HarnessTimeout.self) {
            _ = try await harness.waitForEvent(named: "never.happens", timeout: .milliseconds(50))
        }
        try await harness.stop()
    }

    @Test("SystemCompatTest passes a well-behaved system, reconfigurable or not")
    func compatPasses() async throws {
        let log = HookLog()
        try await SystemCompatTest.run(TestSystem(.test("plain"), log: log))
        #expect(log.systems(calling: "start") == ["plain", "plain"])
        #expect(log.systems(calling: "stop") == ["plain", "plain"])

        let configs = Collected<JSONValue>()
        var reconfigurable = ReconfigurableTestSystem(
            .test("mailer", configSchema: mailerSchema, defaults: ["host": "a", "port": 25]), log: log)
        reconfigurable.onReconfigure = { config, _ in configs.append(config) }
        try await SystemCompatTest.run(reconfigurable, reconfigured: ["host": "b", "port": 587])
        #expect(configs.all == [["host": "b", "port": 587]])
    }

    @Test("SystemCompatTest names the reconfigure check when reconfigure throws")
    func compatReconfigureFails() async throws {
        var system = ReconfigurableTestSystem(.test("fragile"))
        system.onReconfigure = { _, _ in throw Boom("cannot change anything") }
        let failure = await compatFailure { try await SystemCompatTest.run(system) }
        #expect(failure?.check == "reconfigure")
        #expect(
            failure?.description
                == "SystemCompatTest reconfigure: fragile did not survive a reconfigure: fragile rejected the new config: cannot change anything; the old config stays in force"
        )
    }

    @Test("SystemCompatTest names the boot check when start fails", arguments: [false, true])
    func compatStartFails(critical: Bool) async throws {
        var system = TestSystem(.test("broken", critical: critical))
        system.onStart = { _ in throw Boom("no disk") }
        let failure = await compatFailure { try await SystemCompatTest.run(system) }
        #expect(failure?.check == "boot")
        #expect(failure?.message.contains("no disk") == true, "\(failure?.message ?? "")")
    }

    @Test("SystemCompatTest names the health check when a started system reports down")
    func compatHealthDown() async throws {
        var system = TestSystem(.test("sick"))
        system.onHealth = { _ in HealthReport(.down, message: "no replicas") }
        let failure = await compatFailure { try await SystemCompatTest.run(system) }
        #expect(failure?.check == "health")
        #expect(failure?.description == "SystemCompatTest health: sick reports down after a clean start: no replicas")
    }

    private func compatFailure(_ body: () async throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) async -> CompatFailure? {
        do {
            try await body()
            Issue.record("expected a CompatFailure, but the checks passed", sourceLocation: sourceLocation)
        } catch let failure as CompatFailure {
            return failure
        } catch {
            Issue.record("expected a CompatFailure, got \(type(of: error)): \(error)", sourceLocation: sourceLocation)
        }
        return nil
    }
}
