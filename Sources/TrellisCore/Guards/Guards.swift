internal import Logging
internal import Synchronization

/// Every system's guard, owned by the kernel and handed to systems that call into others
/// (the HTTP system guards each system's hooks and routes with it).
public final class Guards: Sendable {
    private let guards: [String: SystemGuard]

    init(
        manifests: [SystemManifest], overrides: [String: GuardPolicy], clock: any GuardClock,
        onTransition: @escaping @Sendable (String, String, CircuitBreaker.State, CircuitBreaker.State) -> Void,
        onIsolated: @escaping @Sendable (String, String, Duration) -> Void = { _, _, _ in }
    ) {
        var guards: [String: SystemGuard] = [:]
        for manifest in manifests {
            guards[manifest.id] = SystemGuard(
                systemID: manifest.id, policy: overrides[manifest.id] ?? manifest.guardPolicy, critical: manifest.critical,
                clock: clock, onTransition: onTransition, onIsolated: onIsolated)
        }
        self.guards = guards
    }

    /// The guard of a system; `nil` for an id the kernel does not know.
    public subscript(systemID: String) -> SystemGuard? { guards[systemID] }

    /// Every guard, by system id.
    public var all: [String: SystemGuard] { guards }
}
