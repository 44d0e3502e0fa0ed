public import Foundation
public import Logging
public import ServiceLifecycle
public import TrellisJSON

/// The Trellis kernel: checks a set of systems, orders them, runs their lifecycles, routes
/// their events and owns their configuration.
///
/// ```swift
/// let kernel = try Kernel(systems: [Database(), Jobs(), Webhooks()], file: fileConfig)
/// try await Kernel.serve(kernel, shutdownDeadline: .seconds(30))   // until SIGTERM / SIGINT
/// ```
///
/// Creating a kernel runs every system's `register` and builds the ``BootPlan``; it throws a
/// ``BootError`` listing every problem before any system starts. `run()` (a `Service`)
/// validates every config, starts systems in plan order, waits for shutdown, and stops
/// what started in reverse order.
public actor Kernel: Service {
    /// The kernel plugin API this kernel implements; manifests target it in `apiVersion`.
    public static let apiVersion = SemanticVersion(1, 0, 0)

    /// Events the kernel itself emits about systems.
    public static let lifecycleEvents = [
        "kernel.system.starting", "kernel.system.started", "kernel.system.failed", "kernel.system.disabled",
        "kernel.system.stopped", "kernel.system.reconfigured", "kernel.config.applied",
        "kernel.breaker.opened", "kernel.breaker.half_opened", "kernel.breaker.closed",
        "kernel.guard.isolated",
    ]

    public nonisolated let plan: BootPlan
    public nonisolated let events: EventBus
    /// Every system's guard (timeouts, bulkhead, breakers, isolation, statistics).
    public nonisolated let guards: Guards
    nonisolated let logger: Logger
    nonisolated let systems: [String: any System]
    nonisolated let manifests: [String: SystemManifest]
    nonisolated let schemas: [String: JSONSchema]
    nonisolated let masks: [String: SecretMask]
    nonisolated let subscriptions: [String: [Subscription]]
    nonisolated let capabilities = CapabilityRegistry()
    nonisolated let store: any ConfigStore
    var resolver: ConfigResolver

    var states: [String: SystemState] = [:]
    var configs: [String: ResolvedConfig] = [:]
    var contexts: [String: SystemContext] = [:]
    /// Systems that started, in the order they did; stopped in reverse.
    var started: [String] = []
    var phase: Phase = .idle
    private let shutdownRequests: AsyncStream<Void>
    private let shutdownContinuation: AsyncStream<Void>.Continuation
    var readyWaiters: [CheckedContinuation<Void, any Error>] = []
    /// The error that stopped the boot, for waiters that arrive after it.
    var bootFailure: (any Error)?

    enum Phase: Equatable {
        case idle, starting, running, stopping, stopped
        case failed(String)
    }

    /// Assembles and checks a set of systems.
    ///
    /// - Parameters:
    ///   - file: what `trellis.yaml` says about systems (enabled flags, config, lines).
    ///   - environment: the process environment (`TRELLIS_<SYSTEM>_<KEY>` overrides).
    ///   - store: where runtime config versions are kept.
    /// - Throws: ``BootError`` with every problem found in the manifests.
    public init(
        systems list: [any System],
        file: FileConfiguration = FileConfiguration(),
        environment: [String: String] = ProcessInfo.processInfo.environment,
        store: any ConfigStore = InMemoryConfigStore(),
        logger: Logger = Logger(label: "trellis.kernel"),
        guardClock: any GuardClock = ContinuousGuardClock()
    ) throws(BootError) {
        var systems: [String: any System] = [:]
        var manifests: [String: SystemManifest] = [:]
        var subscriptions: [String: [Subscription]] = [:]
        for system in list {
            let manifest = system.manifest
            var registrar = Registrar(systemID: manifest.id)
            system.register(&registrar)
            if systems[manifest.id] == nil {
                systems[manifest.id] = system
                manifests[manifest.id] = manifest
                subscriptions[manifest.id] = registrar.subscriptions
            }
        }
        var switchedOff: [String: String] = [:]
        for (id, entry) in file.systems where entry.enabled == false {
            let line = entry.enabledLine.map { ":\($0)" } ?? ""
            switchedOff[id] = "disabled in \(file.fileName)\(line)"
        }
        for (id, manifest) in manifests where !manifest.enabledByDefault && file.systems[id]?.enabled == nil {
            switchedOff[id] = "disabled in \(file.fileName) (off by default, set systems.\(id).enabled: true)"
        }
        let (overrides, guardProblems) = Self.guardOverrides(file: file, manifests: manifests)
        do {
            self.plan = try BootPlan.make(
                manifests: list.map(\.manifest),
                subscriptions: subscriptions.mapValues { $0.map(\.pattern) },
                switchedOff: switchedOff)
        } catch {
            throw BootError(error.problems + guardProblems)
        }
        guard guardProblems.isEmpty else { throw BootError(guardProblems) }
        var schemas: [String: JSONSchema] = [:]
        for (id, manifest) in manifests {
            // BootPlan.make already proved every schema compiles.
            schemas[id] = try? JSONSchema(manifest.configSchema)
        }
        self.systems = systems
        self.manifests = manifests
        self.subscriptions = subscriptions
        self.schemas = schemas
        self.masks = manifests.mapValues { SecretMask(schema: $0.configSchema) }
        self.store = store
        self.logger = logger
        self.resolver = ConfigResolver(file: file, environment: EnvironmentLayer(environment: environment))
        let events = EventBus(logger: logger)
        self.events = events
        self.guards = Guards(
            manifests: Array(manifests.values), overrides: overrides, clock: guardClock,
            onTransition: { system, hook, from, to in
                let name = "kernel.breaker.\(to == .halfOpen ? "half_opened" : to.rawValue == "open" ? "opened" : "closed")"
                logger.warning(
                    "circuit breaker of \(system).\(hook): \(from.rawValue) → \(to.rawValue)",
                    metadata: ["system": "\(system)", "hook": "\(hook)"])
                events.emit(
                    Event(
                        name: name, source: "kernel",
                        payload: ["system": .string(system), "hook": .string(hook), "from": .string(from.rawValue)]))
            },
            onIsolated: { system, hook, elapsed in
                logger.warning(
                    "\(system).\(hook) ran past its time limit (\(elapsed)) on the shared threads; \(system)'s calls run on its own threads from now on",
                    metadata: ["system": "\(system)", "hook": "\(hook)"])
                events.emit(
                    Event(
                        name: "kernel.guard.isolated", source: "kernel",
                        payload: ["system": .string(system), "hook": .string(hook)]))
            })
        events.attach(guards)
        (shutdownRequests, shutdownContinuation) = AsyncStream.makeStream(of: Void.self)
        var states: [String: SystemState] = [:]
        for id in plan.order { states[id] = plan.disabled[id].map { .disabled(reason: $0) } ?? .planned }
        self.states = states
        for warning in plan.warnings { logger.warning("\(warning)") }
    }

    /// The guard policies trellis.yaml sets (`systems.<id>.guard`), and the problems with them.
    private static func guardOverrides(file: FileConfiguration, manifests: [String: SystemManifest]) -> (
        [String: GuardPolicy], [BootProblem]
    ) {
        // The schema is a literal of GuardPolicy; it always compiles.
        let schema = try! JSONSchema(GuardPolicy.schema)
        var overrides: [String: GuardPolicy] = [:]
        var problems: [BootProblem] = []
        for (id, entry) in file.systems.sorted(by: { $0.key < $1.key }) {
            guard let value = entry.guardConfig else { continue }
            let errors = schema.validate(value).errors
            if errors.isEmpty {
                overrides[id] = (manifests[id]?.guardPolicy ?? GuardPolicy()).overridden(by: value)
            }
            problems += errors.map { error in
                BootProblem(.invalidConfig, id, "\(file.fileName): /systems/\(id)/guard\(error.instanceLocation): \(error.message)")
            }
        }
        return (overrides, problems)
    }

    /// The state of every system, in plan order.
    public var systemStates: [(id: String, state: SystemState)] {
        plan.order.map { ($0, states[$0] ?? .planned) }
    }

    public func state(of id: String) -> SystemState? { states[id] }

    /// The system's effective config with secrets masked, safe to show or log.
    public func maskedConfig(of id: String) -> JSONValue? {
        guard let config = configs[id]?.effective else { return nil }
        return masks[id]?.mask(config) ?? config
    }

    /// The value of a capability, for code outside any system (the composition root, tests).
    public nonisolated func capability<Value>(_ key: CapabilityKey<Value>) throws(CapabilityError) -> Value {
        guard let value = capabilities.value(key) else {
            throw CapabilityError(systemID: "kernel", capability: key.name, message: "no running system provides capability \(key)")
        }
        return value
    }

    /// Runs the kernel until the task is cancelled, graceful shutdown is signalled, or
    /// ``requestShutdown()`` is called; then stops every system that started.
    public func run() async throws {
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await self.events.run() }
            do {
                try await startSystems()
            } catch {
                events.finish()
                throw error
            }
            await withTaskCancellationOrGracefulShutdownHandler {
                for await _ in self.shutdownRequests { break }
            } onCancelOrGracefulShutdown: {
                self.shutdownContinuation.finish()
            }
            await stopSystems()
            events.finish()
        }
    }

    /// Asks a running kernel to stop its systems and return from `run()`.
    public nonisolated func requestShutdown() {
        shutdownContinuation.finish()
    }

    /// Waits until every system has started (or thrown the boot error that stopped it).
    public func waitUntilRunning() async throws {
        switch phase {
        case .running: return
        case .failed(let message): throw bootFailure ?? KernelNotRunning(message: message)
        case .stopping, .stopped: throw KernelNotRunning(message: "the kernel has stopped")
        case .idle, .starting:
            try await withCheckedThrowingContinuation { readyWaiters.append($0) }
        }
    }

    func settleWaiters(_ error: (any Error)?) {
        let waiters = readyWaiters
        readyWaiters = []
        for waiter in waiters {
            if let error { waiter.resume(throwing: error) } else { waiter.resume() }
        }
    }

    /// Runs `kernel` (and any other services) in a `ServiceGroup` until SIGTERM or SIGINT,
    /// then shuts down gracefully, escalating to cancellation after `shutdownDeadline`.
    public static func serve(
        _ kernel: Kernel, alongside services: [any Service] = [], shutdownDeadline: Duration = .seconds(30),
        logger: Logger = Logger(label: "trellis")
    ) async throws {
        var configuration = ServiceGroupConfiguration(
            // The kernel returning (requestShutdown) shuts the group down gracefully; the other
            // services (reloaders, announcers) may finish early without ending the group.
            services: [.init(service: kernel, successTerminationBehavior: .gracefullyShutdownGroup)]
                + services.map { .init(service: $0, successTerminationBehavior: .ignore) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger)
        configuration.maximumGracefulShutdownDuration = shutdownDeadline
        try await ServiceGroup(configuration: configuration).run()
    }
}

/// The kernel is not (or no longer) running.
public struct KernelNotRunning: Error, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
