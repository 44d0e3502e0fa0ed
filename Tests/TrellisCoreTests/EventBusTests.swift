import Foundation
import Logging
import Testing
import TrellisCore
import TrellisJSON

struct UserCreated: Codable, Sendable, Equatable {
    let id: Int
    let email: String
}

/// A system that only emits, handing its context to the test.
private func emitter(_ id: String = "accounts", emits: [String], contexts: Collected<SystemContext>) -> TestSystem {
    var system = TestSystem(.test(id, emits: emits))
    system.onBoot = { context in contexts.append(context) }
    return system
}

/// A system that subscribes with `register`.
private func listener(_ id: String, listens: [String], register: @escaping @Sendable (inout Registrar) -> Void) -> TestSystem {
    var system = TestSystem(.test(id, listens: listens))
    system.onRegister = register
    return system
}

private func statistics(_ kernel: Kernel, _ systemID: String, _ pattern: String) -> SubscriberStatistics? {
    kernel.events.statistics.first { $0.systemID == systemID && $0.pattern == pattern }
}

@Suite("Event names and patterns")
struct EventNameTests {
    @Test("valid names", arguments: ["user.created", "user.profile.updated", "billing2.invoice_paid", "a.b"])
    func validNames(name: String) {
        #expect(EventName.isValid(name))
        #expect(EventName.isValidPattern(name))
    }

    @Test(
        "invalid names",
        arguments: [
            "user", "User.created", "user.Created", "user..created", ".user", "user.", "2fa.sent", "user.*", "*", "user created.x", "",
            "user.créé",
        ])
    func invalidNames(name: String) {
        #expect(!EventName.isValid(name))
    }

    @Test("valid patterns", arguments: ["*", "user.*", "user.profile.*", "user.created"])
    func validPatterns(pattern: String) {
        #expect(EventName.isValidPattern(pattern))
    }

    @Test("invalid patterns", arguments: ["user*", "*.created", "user.*.created", ".*", "**", "user.**", "User.*", ""])
    func invalidPatterns(pattern: String) {
        #expect(!EventName.isValidPattern(pattern))
    }

    @Test(
        "matching",
        arguments: [
            ("user.created", "user.created", true), ("user.created", "user.deleted", false), ("user.created", "user.*", true),
            ("user.profile.updated", "user.*", true), ("users.created", "user.*", false), ("user.created", "*", true),
            ("order.placed", "user.*", false), ("user.profile.updated", "user.profile.*", true), ("user.created", "user.profile.*", false),
        ])
    func matching(name: String, pattern: String, matches: Bool) {
        #expect(EventName.matches(name, pattern: pattern) == matches)
    }
}

@Suite("Event bus: delivery, priority, isolation, bounded queues, envelopes")
struct EventBusTests {
    @Test("name, prefix pattern and * subscribers each get what matches")
    func patterns() async throws {
        let got = Collected<String>()
        let contexts = Collected<SystemContext>()
        let kernel = try makeKernel([
            emitter(emits: ["user.created", "user.deleted", "order.placed"], contexts: contexts),
            listener("mailer", listens: ["user.created", "user.*", "*"]) { registrar in
                registrar.on("user.created") { got.append("exact \($0.name)") }
                registrar.on("user.*") { got.append("prefix \($0.name)") }
                registrar.on("*") { event in if !event.name.hasPrefix("kernel.") { got.append("all \(event.name)") } }
            },
        ])
        try await withRunningKernel(kernel) { _ in
            let context = try #require(contexts.all.first)
            for name in ["user.created", "user.deleted", "order.placed"] { _ = await context.emitAndWait(name) }
        }
        #expect(
            got.all == [
                "exact user.created", "prefix user.created", "all user.created", "prefix user.deleted", "all user.deleted",
                "all order.placed",
            ])
    }

    @Test("emitAndWait runs handlers in priority order and returns their outcomes in that order")
    func priorityOrder() async throws {
        let ran = Collected<String>()
        let contexts = Collected<SystemContext>()
        let kernel = try makeKernel([
            emitter(emits: ["user.created"], contexts: contexts),
            listener("alpha", listens: ["user.created", "user.*"]) { registrar in
                registrar.on("user.created", priority: 0) { _ in ran.append("alpha low") }
                registrar.on("user.*", priority: 10) { _ in ran.append("alpha high") }
            },
            listener("beta", listens: ["user.created"]) { registrar in
                registrar.on("user.created", priority: 10) { _ in ran.append("beta high") }
                registrar.on("user.created", priority: -5) { _ in ran.append("beta last") }
            },
            listener("gamma", listens: ["*"]) { registrar in
                registrar.on("*", priority: 5) { event in if event.name == "user.created" { ran.append("gamma middle") } }
            },
        ])
        let outcomes = try await withRunningKernel(kernel) { _ in
            try await #require(contexts.all.first).emitAndWait("user.created")
        }
        let expected = ["alpha high", "beta high", "gamma middle", "alpha low", "beta last"]
        #expect(ran.all == expected)
        #expect(
            outcomes.map { "\($0.systemID) \($0.pattern)" } == [
                "alpha user.*", "beta user.created", "gamma *", "alpha user.created", "beta user.created",
            ])
        #expect(outcomes.allSatisfy { $0.succeeded })
    }

    @Test("emit returns without waiting for a slow handler")
    func emitDoesNotWait() async throws {
        let log = HookLog()
        let kernel = try makeKernel([
            listener("slow", listens: ["user.created"]) { registrar in
                registrar.on("user.created") { _ in
                    try await Task.sleep(for: .milliseconds(150))
                    log.append("handled")
                }
            }
        ])
        try await withRunningKernel(kernel) { kernel in
            kernel.events.emit(Event(name: "user.created", source: "test"))
            log.append("emit returned")
            #expect(await eventually { log.all.contains("handled") })
        }
        #expect(log.all.filter { !$0.contains(".") } == ["emit returned", "handled"])
    }

    @Test("emitAndWait returns only after every handler finished")
    func emitAndWaitWaits() async throws {
        let log = HookLog()
        let kernel = try makeKernel([
            listener("slow", listens: ["user.created"]) { registrar in
                registrar.on("user.created") { _ in
                    try await Task.sleep(for: .milliseconds(50))
                    log.append("handled")
                }
            }
        ])
        try await withRunningKernel(kernel) { kernel in
            _ = await kernel.events.emitAndWait(Event(name: "user.created", source: "test"))
            log.append("emitAndWait returned")
        }
        #expect(log.all.filter { !$0.contains(".") } == ["handled", "emitAndWait returned"])
    }

    @Test("a failing handler is isolated: the others run, the failure is returned and counted")
    func failingHandlerIsolated() async throws {
        let ran = Collected<String>()
        let kernel = try makeKernel([
            listener("alpha", listens: ["user.created"]) { registrar in
                registrar.on("user.created", priority: 2) { _ in ran.append("alpha") }
            },
            listener("broken", listens: ["user.created"]) { registrar in
                registrar.on("user.created", priority: 1) { _ in throw Boom("handler exploded") }
            },
            listener("gamma", listens: ["user.created"]) { registrar in
                registrar.on("user.created", priority: 0) { _ in ran.append("gamma") }
            },
        ])
        try await withRunningKernel(kernel) { kernel in
            let outcomes = await kernel.events.emitAndWait(Event(name: "user.created", source: "test"))
            #expect(outcomes.map(\.systemID) == ["alpha", "broken", "gamma"])
            #expect(outcomes.map(\.succeeded) == [true, false, true])
            #expect(outcomes.map { $0.error.map { "\($0)" } } == [nil, "handler exploded", nil])
            #expect(ran.all == ["alpha", "gamma"])

            // Queued delivery: the failure is counted and the subscriber keeps receiving.
            for _ in 0..<3 { kernel.events.emit(Event(name: "user.created", source: "test")) }
            #expect(await eventually { statistics(kernel, "gamma", "user.created")?.delivered == 4 })
            #expect(await eventually { statistics(kernel, "broken", "user.created")?.failed == 4 })
            #expect(statistics(kernel, "broken", "user.created")?.delivered == 0)
            #expect(statistics(kernel, "alpha", "user.created")?.failed == 0)
            #expect(await kernel.state(of: "broken") == .running)
        }
    }

    @Test(
        "a full queue drops the arriving event with dropNewest and the oldest queued one with dropOldest, counting each",
        arguments: [
            (OverflowPolicy.dropNewest, [1, 2, 3]), (OverflowPolicy.dropOldest, [1, 5, 6]),
        ])
    func boundedQueue(policy: OverflowPolicy, delivered expected: [Int]) async throws {
        let received = Collected<Int>()
        let entered = Gate()
        let release = Gate()
        let kernel = try makeKernel([
            listener("sink", listens: ["load.tick"]) { registrar in
                registrar.on("load.tick", capacity: 2, overflow: policy) { event in
                    let number = event.payload.intValue ?? -1
                    received.append(number)
                    if number == 1 {
                        entered.open()
                        await release.wait()
                    }
                }
            }
        ])
        try await withRunningKernel(kernel) { kernel in
            kernel.events.emit(Event(name: "load.tick", source: "test", payload: 1))
            await entered.wait()
            // The handler holds event 1; the queue has room for two more.
            for number in 2...6 { kernel.events.emit(Event(name: "load.tick", source: "test", payload: JSONValue(number))) }
            #expect(statistics(kernel, "sink", "load.tick")?.dropped == 3)
            release.open()
            #expect(await eventually { received.all.count == 3 })
            try await Task.sleep(for: .milliseconds(20))
            #expect(received.all == expected)
            #expect(statistics(kernel, "sink", "load.tick")?.delivered == 3)
            #expect(statistics(kernel, "sink", "load.tick")?.dropped == 3)
        }
    }

    @Test("the envelope carries id, name, source, timestamp, correlation id and a Codable payload")
    func envelope() async throws {
        let received = Collected<Event>()
        let contexts = Collected<SystemContext>()
        let kernel = try makeKernel([
            emitter(emits: ["user.created"], contexts: contexts),
            listener("mailer", listens: ["user.created"]) { registrar in
                registrar.on("user.created") { received.append($0) }
            },
        ])
        let before = Date()
        try await withRunningKernel(kernel) { _ in
            let context = try #require(contexts.all.first)
            try context.emit("user.created", UserCreated(id: 7, email: "ada@example.com"), correlationID: "req-42")
            context.emit("user.created", payload: ["id": 8, "email": "bob@example.com"])
            #expect(await eventually { received.all.count == 2 })
        }
        let after = Date()
        let (first, second) = (received.all[0], received.all[1])
        #expect(first.name == "user.created")
        #expect(first.source == "accounts")
        #expect(first.correlationID == "req-42")
        #expect(first.timestamp >= before && first.timestamp <= after)
        #expect(first.payload == ["id": 7, "email": "ada@example.com"])
        #expect(try first.payload(as: UserCreated.self) == UserCreated(id: 7, email: "ada@example.com"))
        #expect(try second.payload(as: UserCreated.self) == UserCreated(id: 8, email: "bob@example.com"))
        #expect(first.id != second.id)
        // Without a correlation id, an event starts its own chain.
        #expect(second.correlationID == second.id.uuidString)
    }

    @Test("a payload that does not decode as the asked type throws")
    func payloadTypeMismatch() {
        let event = Event(name: "user.created", source: "accounts", payload: ["id": "seven"])
        #expect(throws: (any Error).self) { try event.payload(as: UserCreated.self) }
    }

    @Test("the bus counts emitted events by name")
    func emittedCounts() async throws {
        let kernel = try makeKernel([TestSystem(.test("quiet"))])
        try await withRunningKernel(kernel) { kernel in
            for _ in 0..<3 { kernel.events.emit(Event(name: "user.created", source: "test")) }
            _ = await kernel.events.emitAndWait(Event(name: "user.deleted", source: "test"))
            #expect(kernel.events.emittedCounts["user.created"] == 3)
            #expect(kernel.events.emittedCounts["user.deleted"] == 1)
            #expect(kernel.events.emittedCounts["kernel.system.started"] == 1)
        }
    }

    @Test("a stopped system's handlers no longer run")
    func stoppedSubscriberGetsNothing() async throws {
        let got = Collected<String>()
        let kernel = try makeKernel([
            listener("mailer", listens: ["user.created"]) { registrar in
                registrar.on("user.created") { got.append($0.name) }
            }
        ])
        try await withRunningKernel(kernel) { kernel in
            _ = await kernel.events.emitAndWait(Event(name: "user.created", source: "test"))
        }
        let outcomes = await kernel.events.emitAndWait(Event(name: "user.created", source: "test"))
        #expect(outcomes.isEmpty)
        #expect(got.all == ["user.created"])
    }

    @Test("the handlers of a system that failed, or was disabled because a dependency failed, do not run")
    func failedAndDisabledSubscribersGetNothing() async throws {
        let got = Collected<String>()
        var jobs = listener("jobs", listens: ["user.created"]) { registrar in registrar.on("user.created") { _ in got.append("jobs") } }
        jobs.onStart = { _ in throw Boom() }
        var webhooks = TestSystem(.test("webhooks", requires: ["jobs"], listens: ["user.created"]))
        webhooks.onRegister = { registrar in registrar.on("user.created") { _ in got.append("webhooks") } }
        let kernel = try makeKernel([
            jobs, webhooks,
            listener("audit", listens: ["user.created"]) { registrar in registrar.on("user.created") { _ in got.append("audit") } },
        ])
        try await withRunningKernel(kernel) { kernel in
            #expect(await kernel.state(of: "webhooks") == .disabled(reason: "it requires jobs, which failed to start: boom"))
            let outcomes = await kernel.events.emitAndWait(Event(name: "user.created", source: "test"))
            #expect(outcomes.map(\.systemID) == ["audit"])
            kernel.events.emit(Event(name: "user.created", source: "test"))
            try await Task.sleep(for: .milliseconds(30))
        }
        #expect(got.all == ["audit", "audit"])
    }

    @Test("a listened name nobody emits is a boot warning, with the exact text")
    func listenWarning() throws {
        let kernel = try makeKernel([
            listener("mailer", listens: ["user.created", "order.*"]) { registrar in
                registrar.on("user.created") { _ in }
            },
            TestSystem(.test("shop", emits: ["order.placed"])),
        ])
        #expect(kernel.plan.warnings == ["mailer listens to 'user.created', but no enabled system declares it in emits"])
    }

    @Test("boot warnings are logged, and an emitted name no manifest declares is warned about once")
    func warningsLogged() async throws {
        let captured = CapturedLog.Store()
        let kernel = try Kernel(
            systems: [
                listener("mailer", listens: ["user.created"]) { registrar in registrar.on("user.created") { _ in } },
                TestSystem(.test("shop", emits: ["order.placed"])),
            ],
            environment: [:], logger: Logger(label: "test") { _ in CapturedLog(store: captured) })
        try await withRunningKernel(kernel) { kernel in
            kernel.events.emit(Event(name: "order.placed", source: "shop"))
            kernel.events.emit(Event(name: "order.refunded", source: "shop"))
            _ = await kernel.events.emitAndWait(Event(name: "order.refunded", source: "shop"))
        }
        let warnings = captured.entries.withLock { $0 }.filter { $0.level == .warning }.map(\.message)
        #expect(
            warnings == [
                "mailer listens to 'user.created', but no enabled system declares it in emits",
                "event order.refunded emitted by shop is not declared in any manifest's emits",
            ])
    }
}
