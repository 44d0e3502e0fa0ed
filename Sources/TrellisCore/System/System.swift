public import TrellisJSON

/// A feature of a Trellis backend, plugged into the kernel.
///
/// Every hook but `manifest` is optional. The kernel calls them in this order:
/// `register` (declare; synchronous, no I/O) → `boot` (fast, no I/O) → `start` (async I/O)
/// → `health` (any time) → `stop` (reverse plan order; always called for a system that started).
///
/// - Important: `register` runs before any system starts: only declare there
///   (subscribe to events, note what you will provide). Provide capabilities in `boot`
///   or `start`; read the capabilities you consume in `boot` or `start`, when their
///   providers have started.
public protocol System: Sendable {
    var manifest: SystemManifest { get }

    func register(_ registrar: inout Registrar)
    func boot(_ context: SystemContext) throws
    func start(_ context: SystemContext) async throws
    func health(_ context: SystemContext) async -> HealthReport
    func stop(_ context: SystemContext) async throws
}

extension System {
    public func register(_ registrar: inout Registrar) {}
    public func boot(_ context: SystemContext) throws {}
    public func start(_ context: SystemContext) async throws {}
    public func health(_ context: SystemContext) async -> HealthReport { .up }
    public func stop(_ context: SystemContext) async throws {}
}

/// A system that can take a new config while running. Systems that are not
/// `Reconfigurable` are restarted (with their dependents) when their config changes.
public protocol Reconfigurable: System {
    /// Applies `config`, already validated against the manifest's schema. Throwing keeps the old config.
    func reconfigure(_ config: JSONValue, context: SystemContext) async throws
}
