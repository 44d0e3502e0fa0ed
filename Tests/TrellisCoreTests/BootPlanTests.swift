import Testing
import TrellisCore
import TrellisJSON

protocol JobQueue: Sendable {
    func enqueue(_ job: String) async -> Int
}

let jobQueueKey = CapabilityKey<any JobQueue>("jobs.queue")

@Suite("Boot plan: problems, order, disabled systems, warnings")
struct BootPlanTests {
    private func problems(
        _ manifests: [SystemManifest], subscriptions: [String: [String]] = [:], sourceLocation: SourceLocation = #_sourceLocation
    ) -> BootError? {
        do {
            let plan = try BootPlan.make(manifests: manifests, subscriptions: subscriptions)
            Issue.record("expected a BootError, got the plan \(plan.order)", sourceLocation: sourceLocation)
            return nil
        } catch {
            return error
        }
    }

    // MARK: Problems, each with its exact message

    @Test("a missing required system")
    func missingRequired() {
        let error = problems([.test("jobs", requires: ["db"]), .test("webhooks", requires: ["jobs", "http"])])
        #expect(error?.problems.map(\.code) == [.missingRequiredSystem, .missingRequiredSystem])
        #expect(
            messages(error) == [
                "jobs requires db, which is not installed",
                "webhooks requires http, which is not installed",
            ])
        #expect(error?.problems.map(\.systemID) == ["jobs", "webhooks"])
    }

    @Test("a consumed capability nobody provides")
    func missingProvider() {
        let error = problems([.test("webhooks", consumes: [.init(jobQueueKey)])])
        #expect(error?.problems.map(\.code) == [.missingCapabilityProvider])
        #expect(messages(error) == ["webhooks consumes capability 'jobs.queue', but no system provides it"])
    }

    @Test("a capability key with the same name but another type is a different capability")
    func capabilityTypeMatters() {
        let otherQueue = CapabilityKey<String>("jobs.queue")
        let error = problems([.test("jobs", provides: [.init(otherQueue)]), .test("webhooks", consumes: [.init(jobQueueKey)])])
        #expect(messages(error) == ["webhooks consumes capability 'jobs.queue', but no system provides it"])
    }

    @Test("a capability provided twice")
    func providedTwice() {
        let error = problems([
            .test("queue_lite", provides: [.init(jobQueueKey)]), .test("jobs", provides: [.init(jobQueueKey)]), .test("webhooks"),
        ])
        #expect(error?.problems.map(\.code) == [.duplicateCapabilityProvider])
        #expect(messages(error) == ["capability 'jobs.queue' is provided by both jobs and queue_lite; only one system may provide it"])
    }

    @Test("a cycle is shown as its path, starting at its smallest id")
    func cycle() {
        let error = problems([.test("c", requires: ["a"]), .test("b", requires: ["c"]), .test("a", requires: ["b"])])
        #expect(error?.problems.map(\.code) == [.dependencyCycle])
        #expect(messages(error) == ["dependency cycle: a → b → c → a"])
    }

    @Test("a cycle through a consumed capability; systems that only lead into it are not part of the path")
    func cycleThroughCapability() {
        let error = problems([
            .test("jobs", requires: ["webhooks"], provides: [.init(jobQueueKey)]),
            .test("webhooks", consumes: [.init(jobQueueKey)]),
            .test("admin", requires: ["jobs"]),
        ])
        #expect(messages(error) == ["dependency cycle: jobs → webhooks → jobs"])
    }

    @Test("every separate cycle is reported")
    func twoCycles() {
        let error = problems([
            .test("a", requires: ["b"]), .test("b", requires: ["a"]),
            .test("x", requires: ["y"]), .test("y", requires: ["z"]), .test("z", requires: ["x"]),
        ])
        #expect(messages(error) == ["dependency cycle: a → b → a", "dependency cycle: x → y → z → x"])
    }

    @Test("a subscription in register that the manifest's listens does not declare")
    func undeclaredSubscription() {
        let error = problems([.test("mailer", listens: ["user.*"])], subscriptions: ["mailer": ["user.*", "order.placed"]])
        #expect(error?.problems.map(\.code) == [.undeclaredSubscription])
        #expect(
            messages(error) == ["mailer subscribes to 'order.placed' in register, but its manifest's listens does not include it"])
    }

    @Test("the kernel checks what register subscribed to")
    func kernelChecksSubscriptions() async {
        var mailer = TestSystem(.test("mailer", listens: ["user.created"]))
        mailer.onRegister = { registrar in
            registrar.on("user.created") { _ in }
            registrar.on("user.deleted") { _ in }
        }
        let error = await bootError { _ = try makeKernel([mailer]) }
        #expect(
            error?.description == """
                Trellis cannot boot (1 problem):
                  - mailer subscribes to 'user.deleted' in register, but its manifest's listens does not include it
                """)
    }

    @Test("every problem is reported together in one error")
    func allProblemsTogether() {
        var old = SystemManifest.test("legacy")
        old.apiVersion = "0.3.0"
        let error = problems(
            [
                old,
                .test("jobs", requires: ["db"], provides: [.init(jobQueueKey)]),
                .test("queue_lite", provides: [.init(jobQueueKey)]),
                .test("webhooks", consumes: [.init(CapabilityKey<String>("http.client"))], emits: ["Webhook"]),
                .test("a", requires: ["b"]), .test("b", requires: ["a"]),
                .test("mailer"),
            ], subscriptions: ["mailer": ["user.created"]])
        #expect(
            error?.description == """
                Trellis cannot boot (7 problems):
                  - legacy targets kernel plugin API 0.3.0, but this kernel implements 1.0.0: a system must target the same major version and a minor version no higher than the kernel's
                  - webhooks: emitted event name 'Webhook' is invalid: use lowercase dotted names like 'user.created'
                  - mailer subscribes to 'user.created' in register, but its manifest's listens does not include it
                  - capability 'jobs.queue' is provided by both jobs and queue_lite; only one system may provide it
                  - jobs requires db, which is not installed
                  - webhooks consumes capability 'http.client', but no system provides it
                  - dependency cycle: a → b → a
                """)
        #expect(error?.problems.count == 7)
    }

    // MARK: Order

    @Test("independent systems start in id order")
    func tiesByID() throws {
        let plan = try BootPlan.make(manifests: [.test("zulu"), .test("alpha"), .test("mike")])
        #expect(plan.order == ["alpha", "mike", "zulu"])
    }

    @Test("a system starts after what it requires; ties among ready systems by id")
    func requiresOrder() throws {
        let plan = try BootPlan.make(manifests: [
            .test("alpha", requires: ["zulu"]), .test("beta"), .test("zulu"), .test("yankee", requires: ["beta"]),
        ])
        #expect(plan.order == ["beta", "yankee", "zulu", "alpha"])
        #expect(plan.dependencies["alpha"]?.map(\.systemID) == ["zulu"])
        #expect(plan.dependencies["alpha"]?.map(\.capability) == [nil])
    }

    @Test("a consumer starts after the provider of each capability it consumes")
    func consumptionOrder() throws {
        let plan = try BootPlan.make(manifests: [
            .test("alpha", consumes: [.init(jobQueueKey)]), .test("zulu", provides: [.init(jobQueueKey)]),
        ])
        #expect(plan.order == ["zulu", "alpha"])
        #expect(plan.dependencies["alpha"]?.map(\.systemID) == ["zulu"])
        #expect(plan.dependencies["alpha"]?.map(\.capability) == ["jobs.queue"])
    }

    @Test("an optional dependency orders when present and is ignored when absent")
    func optionalDependencies() throws {
        let present = try BootPlan.make(manifests: [.test("alpha", optional: ["zulu"]), .test("zulu")])
        #expect(present.order == ["zulu", "alpha"])
        #expect(present.dependencies["alpha"]?.isEmpty == true)
        let absent = try BootPlan.make(manifests: [.test("alpha", optional: ["zulu"]), .test("mike")])
        #expect(absent.order == ["alpha", "mike"])
    }

    @Test("an optional dependency that is disabled does not disable the system")
    func optionalDisabled() throws {
        let plan = try BootPlan.make(
            manifests: [.test("alpha", optional: ["zulu"]), .test("zulu")], switchedOff: ["zulu": "disabled in trellis.yaml"])
        #expect(plan.disabled == ["zulu": "disabled in trellis.yaml"])
        #expect(plan.enabledOrder == ["alpha"])
        #expect(plan.disabledMessage("alpha") == nil)
    }

    @Test("the order does not depend on the order the systems are given in")
    func orderIsStable() throws {
        let manifests: [SystemManifest] = [
            .test("webhooks", requires: ["jobs"]), .test("jobs", requires: ["db"], provides: [.init(jobQueueKey)]),
            .test("db"), .test("admin", consumes: [.init(jobQueueKey)]), .test("audit"),
        ]
        let expected = ["audit", "db", "jobs", "admin", "webhooks"]
        #expect(try BootPlan.make(manifests: manifests).order == expected)
        #expect(try BootPlan.make(manifests: manifests.reversed()).order == expected)
        #expect(try BootPlan.make(manifests: manifests.shuffled()).order == expected)
    }

    @Test("dependents lists everything that depends on a system, directly or not, in start order")
    func dependents() throws {
        let plan = try BootPlan.make(manifests: [
            .test("webhooks", requires: ["jobs"]), .test("jobs", requires: ["db"]), .test("db"), .test("audit"),
            .test("admin", requires: ["webhooks", "audit"]),
        ])
        #expect(plan.dependents(of: "db") == ["jobs", "webhooks", "admin"])
        #expect(plan.dependents(of: "audit") == ["admin"])
        #expect(plan.dependents(of: "admin") == [])
    }

    // MARK: Disabled systems

    @Test("a system disabled in trellis.yaml disables its hard dependents, with the reason")
    func disabledInConfig() throws {
        let file = FileConfiguration(systems: ["jobs": .init(enabled: false)])
        let kernel = try makeKernel(
            [TestSystem(.test("jobs")), TestSystem(.test("webhooks", requires: ["jobs"])), TestSystem(.test("audit"))], file: file)
        #expect(kernel.plan.disabledMessage("webhooks") == "webhooks is disabled: it requires jobs, which is disabled in trellis.yaml")
        #expect(kernel.plan.disabledMessage("jobs") == "jobs is disabled: disabled in trellis.yaml")
        #expect(kernel.plan.disabledMessage("audit") == nil)
        #expect(kernel.plan.enabledOrder == ["audit"])
    }

    @Test("the reason names the line of enabled: false when the file gives it")
    func disabledWithLine() throws {
        let file = FileConfiguration(systems: ["jobs": .init(enabled: false, enabledLine: 14)])
        let kernel = try makeKernel([TestSystem(.test("jobs")), TestSystem(.test("webhooks", requires: ["jobs"]))], file: file)
        #expect(kernel.plan.disabledMessage("webhooks") == "webhooks is disabled: it requires jobs, which is disabled in trellis.yaml:14")
    }

    @Test("the reason chains through every level")
    func threeLevelChain() throws {
        let plan = try BootPlan.make(
            manifests: [
                .test("admin", requires: ["webhooks"]), .test("webhooks", consumes: [.init(jobQueueKey)]),
                .test("jobs", provides: [.init(jobQueueKey)]), .test("audit"),
            ],
            switchedOff: ["jobs": "disabled in trellis.yaml"])
        #expect(
            plan.disabledMessage("webhooks")
                == "webhooks is disabled: it consumes 'jobs.queue' from jobs, which is disabled in trellis.yaml")
        #expect(
            plan.disabledMessage("admin")
                == "admin is disabled: it requires webhooks, which is disabled because it consumes 'jobs.queue' from jobs, which is disabled in trellis.yaml"
        )
        #expect(plan.enabledOrder == ["audit"])
        #expect(plan.order == ["audit", "jobs", "webhooks", "admin"])
    }

    @Test("a disabled system is reported by the kernel's states and never started")
    func disabledNeverStarts() async throws {
        let log = HookLog()
        let file = FileConfiguration(systems: ["jobs": .init(enabled: false)])
        let kernel = try makeKernel(
            [TestSystem(.test("jobs"), log: log), TestSystem(.test("webhooks", requires: ["jobs"]), log: log)], file: file)
        try await withRunningKernel(kernel) { kernel in
            #expect(await kernel.state(of: "jobs") == .disabled(reason: "disabled in trellis.yaml"))
            #expect(
                await kernel.state(of: "webhooks") == .disabled(reason: "it requires jobs, which is disabled in trellis.yaml"))
        }
        #expect(log.systems(calling: "start") == [])
        #expect(log.systems(calling: "boot") == [])
    }

    // MARK: Warnings

    @Test("a listened name no enabled system emits is a warning")
    func listenedButNeverEmitted() throws {
        let plan = try BootPlan.make(manifests: [
            .test("mailer", listens: ["user.created", "order.*", "kernel.system.started", "*"]),
            .test("accounts", emits: ["user.deleted", "order.placed"]),
        ])
        #expect(plan.warnings == ["mailer listens to 'user.created', but no enabled system declares it in emits"])
    }

    @Test("an emitter that is disabled does not count")
    func disabledEmitter() throws {
        let plan = try BootPlan.make(
            manifests: [.test("mailer", listens: ["user.*"]), .test("accounts", emits: ["user.created"])],
            switchedOff: ["accounts": "disabled in trellis.yaml"])
        #expect(plan.warnings == ["mailer listens to 'user.*', but no enabled system declares it in emits"])
    }
}
