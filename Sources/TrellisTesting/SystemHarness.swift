public import Logging
internal import Synchronization
public import TrellisCore
public import TrellisJSON

/// Boots one system (or a few) with stand-in capabilities, so a test can drive it through
/// the real kernel: emit events, read what was emitted, check health, change config.
///
/// ```swift
/// var standIns = StandIns()
/// standIns.provide(MailerKey, FakeMailer())
/// let harness = try SystemHarness(systems: [Welcome()], standIns: standIns)
/// try await harness.start()
/// await harness.emitAndWait("user.created", payload: ["email": "a@b.c"])
/// #expect(harness.emitted(named: "welcome.sent").count == 1)
/// try await harness.stop()
/// ```
public final class SystemHarness: Sendable {
    /// The id of the harness's own system, which provides stand-ins and records events.
    public static let harnessID = "harness"

    public let kernel: Kernel
    private let recorder: Recorder
    private let running = Mutex<Task<Void, any Error>?>(nil)

    /// - Parameters:
    ///   - config: per system id, the config as `trellis.yaml` would give it.
    ///   - disabled: system ids switched off as in `trellis.yaml`.
    public init(
        systems: [any System], standIns: StandIns = StandIns(), config: [String: JSONValue] = [:], disabled: Set<String> = [],
        environment: [String: String] = [:], store: any ConfigStore = InMemoryConfigStore(),
        logger: Logger = Logger(label: "trellis.test")
    ) throws(BootError) {
        let recorder = Recorder(standIns: standIns)
        var file = FileConfiguration(fileName: "trellis.yaml")
        // The systems under test run unless switched off, even those off by default (`enabledByDefault`).
        for id in Set(config.keys).union(disabled).union(systems.map(\.manifest.id)) {
            file.systems[id] = FileConfiguration.SystemEntry(enabled: !disabled.contains(id), config: config[id])
        }
        self.recorder = recorder
        self.kernel = try Kernel(systems: [recorder] + systems, file: file, environment: environment, store: store, logger: logger)
        // Observed on the bus, not subscribed by the recorder system: a subscription would close
        // when the recorder stops, before the systems started ahead of it stop.
        let log = recorder.log
        kernel.events.observe { event in log.events.withLock { $0.append(event) } }
    }

    /// Starts the kernel and waits until every system has started.
    public func start() async throws {
        let kernel = self.kernel
        let task = Task { try await kernel.run() }
        running.withLock { $0 = task }
        do {
            try await kernel.waitUntilRunning()
        } catch {
            _ = try? await task.value
            throw error
        }
    }

    /// Stops every system and waits for the kernel to finish.
    public func stop() async throws {
        kernel.requestShutdown()
        let task = running.withLock { task in
            defer { task = nil }
            return task
        }
        try await task?.value
    }

    /// Emits an event as if a system named `source` had, without waiting for handlers.
    public func emit(_ name: String, payload: JSONValue = .null, source: String = SystemHarness.harnessID) {
        kernel.events.emit(Event(name: name, source: source, payload: payload))
    }

    /// Emits an event and waits for every handler.
    @discardableResult
    public func emitAndWait(_ name: String, payload: JSONValue = .null, source: String = SystemHarness.harnessID) async -> [HandlerOutcome]
    {
        await kernel.events.emitAndWait(Event(name: name, source: source, payload: payload))
    }

    /// Every event emitted so far, in the order emitted, the kernel's lifecycle events included.
    public var emitted: [Event] { recorder.log.events.withLock { $0 } }

    public func emitted(named name: String) -> [Event] { emitted.filter { $0.name == name } }

    /// Waits until an event named `name` has been emitted (or `timeout` passes) and returns it.
    public func waitForEvent(named name: String, timeout: Duration = .seconds(5)) async throws -> Event {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while clock.now < deadline {
            if let event = emitted(named: name).first { return event }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw HarnessTimeout(message: "no event named \(name) within \(timeout); seen: \(emitted.map(\.name))")
    }
}

/// A harness wait that ran out of time.
public struct HarnessTimeout: Error, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

/// The harness's own system: provides the stand-ins and keeps the log of every event.
private struct Recorder: System {
    final class Log: Sendable {
        let events = Mutex<[Event]>([])
    }

    let standIns: StandIns
    let log = Log()

    var manifest: SystemManifest {
        SystemManifest(
            id: SystemHarness.harnessID, version: "1.0.0", summary: "Test harness: stand-in capabilities and an event recorder",
            provides: standIns.keys)
    }

    func boot(_ context: SystemContext) throws {
        for install in standIns.installers { try install(context) }
    }
}
