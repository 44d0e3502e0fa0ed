public import TrellisCore
public import TrellisJSON

/// The checks every system must pass, whatever it does: it boots, reports health,
/// survives a reconfigure with a valid config, and stops.
///
/// ```swift
/// @Test func compat() async throws {
///     try await SystemCompatTest.run(Greeter())
/// }
/// ```
public enum SystemCompatTest {
    /// Runs the checks and throws a ``CompatFailure`` naming the first that fails.
    ///
    /// - Parameters:
    ///   - config: the config to boot with (the manifest's defaults when `nil`).
    ///   - reconfigured: a different valid config to switch to at runtime (the boot config when `nil`).
    public static func run(
        _ system: any System, standIns: StandIns = StandIns(), config: JSONValue? = nil, reconfigured: JSONValue? = nil
    ) async throws {
        let id = system.manifest.id
        let harness = try SystemHarness(systems: [system], standIns: standIns, config: config.map { [id: $0] } ?? [:])
        do {
            try await harness.start()
        } catch {
            // A critical system's failed start aborts the whole boot instead of leaving it `failed`.
            try? await harness.stop()
            throw CompatFailure(check: "boot", message: "\(id) did not start: \(error)")
        }
        guard await harness.kernel.state(of: id) == .running else {
            let state = await harness.kernel.state(of: id).map(String.init(describing:)) ?? "unknown"
            try await harness.stop()
            throw CompatFailure(check: "boot", message: "\(id) did not start: \(state)")
        }
        let health = await harness.kernel.health()
        if let report = health.systems.first(where: { $0.id == id })?.report, report.status == .down {
            try await harness.stop()
            throw CompatFailure(check: "health", message: "\(id) reports down after a clean start: \(report.message ?? "")")
        }
        do {
            let target = reconfigured ?? config ?? system.manifest.defaults
            let preview = try await harness.kernel.propose(id, JSONPatch([.replace(path: .root, value: target)]))
            try await harness.kernel.apply(preview, actor: "compat-test", reason: "SystemCompatTest reconfigure")
        } catch {
            try await harness.stop()
            throw CompatFailure(check: "reconfigure", message: "\(id) did not survive a reconfigure: \(error)")
        }
        guard await harness.kernel.state(of: id) == .running else {
            try await harness.stop()
            throw CompatFailure(check: "reconfigure", message: "\(id) is not running after a reconfigure")
        }
        try await harness.stop()
        guard await harness.kernel.state(of: id) == .stopped else {
            throw CompatFailure(check: "stop", message: "\(id) did not stop")
        }
    }
}

/// A system that fails one of the ``SystemCompatTest`` checks.
public struct CompatFailure: Error, Sendable, CustomStringConvertible {
    public let check: String
    public let message: String
    public var description: String { "SystemCompatTest \(check): \(message)" }
}
