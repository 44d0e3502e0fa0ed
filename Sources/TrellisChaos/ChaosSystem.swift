internal import Synchronization
public import TrellisCore
internal import TrellisHTTPCapability
public import TrellisJSON

/// The `chaos` system: makes its own hooks misbehave on purpose, so the guards can be seen
/// containing a failing system on a running server — and tests can prove they do.
///
/// Off by default: it runs only when trellis.yaml sets `systems.chaos.enabled: true`, and it
/// refuses to start when `environment: production`.
///
/// ```yaml
/// environment: development
/// systems:
///   chaos:
///     enabled: true
///     guard: { timeout_ms: 200, max_concurrent: 4, breaker: { consecutive_failures: 3, open_ms: 2000 } }
///     config:
///       before_request: { mode: throw, probability: 0.5 }
/// ```
///
/// Config (`systems.chaos.config`, see ``ChaosConfig``): for each target — `before_request`,
/// `after_response` (its request hooks, run around every request), `event` (its handler of
/// `chaos.tick`, which it emits itself every `tick_ms`), `start`, `health` — an object
/// `{ mode, probability, delay_ms }`:
/// - `mode`: `none` (default), `throw`, `delay` (waits `delay_ms`, cancellable), `hang` (never
///   returns, ignores cancellation, holds no thread; ends when the config changes or the system
///   stops), `block_thread` (a synchronous sleep of `delay_ms` holding its thread), and, for
///   `start` only, `fail_start`. For `health`, `throw` reports the system down.
/// - `probability` (0…1, default 1): the share of calls that misbehave.
/// - `delay_ms` (default 1000).
///
/// `critical` (default `false`) makes chaos a critical system: its hook failures fail requests
/// with a 503 problem, and its failed start aborts the boot. Criticality is part of the
/// manifest, which the kernel reads once: the composition root reads `critical` from the file
/// at boot, and changing it takes a restart. Everything else changes at runtime (edit
/// trellis.yaml and send SIGHUP); the new behaviour applies to calls that start after it.
public final class ChaosSystem: Reconfigurable, Sendable {
    public static let id = "chaos"
    /// The event chaos emits every `tick_ms` and handles itself, so its event handler can misbehave.
    public static let tickEvent = "chaos.tick"

    private let environment: String
    private let critical: Bool
    private let injector = FaultInjector()
    private let ticker = Mutex<Task<Void, Never>?>(nil)

    /// - Parameters:
    ///   - environment: trellis.yaml's `environment`; chaos refuses to start in `production`.
    ///   - critical: whether the manifest declares chaos critical (``isCritical(_:)`` reads it from its config).
    public init(environment: String, critical: Bool = false) {
        self.environment = environment
        self.critical = critical
    }

    /// `critical` in a `systems.chaos.config` value, as the composition root reads it at boot.
    public static func isCritical(_ config: JSONValue?) -> Bool {
        config?["critical"]?.boolValue ?? false
    }

    public var manifest: SystemManifest {
        SystemManifest(
            id: Self.id, version: "1.0.0",
            summary:
                "Injects failures (throw, delay, hang, blocked threads, failed start) to rehearse the guards; off by default, refused in production",
            requires: ["http"], consumes: [AnyCapabilityKey(httpRoutingKey)], emits: [Self.tickEvent], listens: [Self.tickEvent],
            configSchema: ChaosConfig.schema, defaults: ChaosConfig.defaults, critical: critical, enabledByDefault: false,
            // A start that hangs or blocks is given up on in 5 s instead of the default 30 s.
            timeLimits: HookTimeLimits(start: .seconds(5)))
    }

    public func register(_ registrar: inout Registrar) {
        let injector = self.injector
        registrar.on(Self.tickEvent) { _ in try await injector.inject(.event) }
    }

    public func boot(_ context: SystemContext) throws {
        guard environment != "production" else { throw ChaosError.refusedInProduction }
    }

    public func start(_ context: SystemContext) async throws {
        let config = take(context.config, context: context)
        try await injector.inject(.start)
        try context.capability(httpRoutingKey).addHooks(ChaosHooks(injector: injector), system: Self.id)
        startTicking(context)
        context.logger.warning("chaos is running: \(config.summary)")
    }

    public func reconfigure(_ config: JSONValue, context: SystemContext) async throws {
        let config = take(config, context: context)
        context.logger.warning("chaos reconfigured: \(config.summary)")
    }

    public func health(_ context: SystemContext) async -> HealthReport {
        do {
            try await injector.inject(.health)
        } catch {
            return HealthReport(.down, message: "\(error)")
        }
        let config = injector.config
        return HealthReport(
            .up, message: config.summary,
            details: ["critical": .bool(critical), "hanging_calls": JSONValue(injector.hangingCount)])
    }

    public func stop(_ context: SystemContext) async throws {
        let task = ticker.withLock { task in
            defer { task = nil }
            return task
        }
        task?.cancel()
        await task?.value
        (try? context.capability(httpRoutingKey))?.remove(owner: Self.id)
        injector.releaseAll()
    }

    /// Puts a config in force and says when its `critical` cannot be.
    private func take(_ value: JSONValue, context: SystemContext) -> ChaosConfig {
        let config = ChaosConfig(value)
        if config.critical != critical {
            context.logger.warning(
                "systems.chaos.config.critical is \(config.critical), but chaos started with critical: \(critical); criticality is part of its manifest and changes at the next start"
            )
        }
        injector.apply(config)
        return config
    }

    /// Emits `chaos.tick` every `tick_ms` (read afresh each time) until `stop`, which awaits it.
    private func startTicking(_ context: SystemContext) {
        let injector = self.injector
        let task = Task {
            var sequence = 0
            while !Task.isCancelled {
                do {
                    try await Task.sleep(for: injector.config.tick)
                } catch {
                    return
                }
                sequence += 1
                context.emit(Self.tickEvent, payload: ["sequence": JSONValue(sequence)])
            }
        }
        ticker.withLock { $0 = task }
    }
}
