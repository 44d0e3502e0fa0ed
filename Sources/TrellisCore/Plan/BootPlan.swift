/// The checked, ordered set of systems the kernel will run.
///
/// Built from manifests alone, before any system starts. Every problem is collected and
/// reported together in a ``BootError``. The order is topological over hard dependencies
/// (`requires`, and the provider of each consumed capability) and present `optional`
/// ones, with ties broken by id so the same set always boots in the same order.
public struct BootPlan: Sendable {
    /// Systems in start order (disabled ones included, so the plan can be shown whole).
    public let order: [String]
    /// Each system's hard dependencies: what it requires and the providers of what it consumes.
    public let dependencies: [String: [Dependency]]
    /// Systems that will not run, with the reason (`it requires jobs, which is disabled in trellis.yaml`).
    public let disabled: [String: String]
    /// Things worth fixing that do not stop the boot (a listened event nobody emits).
    public let warnings: [String]

    /// Why one system depends on another.
    public struct Dependency: Sendable, Hashable {
        public let systemID: String
        /// The capability it consumes from that system, or `nil` for a `requires` entry.
        public let capability: String?

        /// How the dependency reads in a reason: `requires jobs` or `consumes 'jobs.queue' from jobs`.
        var phrase: String {
            capability.map { "consumes '\($0)' from \(systemID)" } ?? "requires \(systemID)"
        }
    }

    public var enabledOrder: [String] { order.filter { disabled[$0] == nil } }

    /// Checks `manifests` and orders them.
    ///
    /// - Parameters:
    ///   - subscriptions: per system, the event patterns it subscribed to in `register`.
    ///   - switchedOff: systems turned off by configuration, with where (`disabled in trellis.yaml`).
    public static func make(
        manifests: [SystemManifest],
        subscriptions: [String: [String]] = [:],
        switchedOff: [String: String] = [:],
        kernelAPIVersion: SemanticVersion = Kernel.apiVersion
    ) throws(BootError) -> BootPlan {
        var checker = ManifestChecker(manifests: manifests, kernelAPIVersion: kernelAPIVersion)
        checker.checkManifests()
        checker.checkSubscriptions(subscriptions)
        let dependencies = checker.resolveDependencies()
        let order = checker.order(dependencies)
        guard checker.problems.isEmpty else { throw BootError(checker.problems) }
        let disabled = propagate(switchedOff, order: order, dependencies: dependencies)
        return BootPlan(order: order, dependencies: dependencies, disabled: disabled, warnings: checker.warnings(disabled: disabled))
    }

    /// The reasons systems cannot run, given the ones that are off (`id` → `disabled in trellis.yaml`,
    /// `failed to start: …`): each hard dependent inherits the reason through a chain.
    static func propagate(_ roots: [String: String], order: [String], dependencies: [String: [Dependency]]) -> [String: String] {
        var reasons: [String: String] = [:]
        var phrases: [String: String] = [:]
        for id in order {
            if let root = roots[id] {
                reasons[id] = root
                phrases[id] = root
                continue
            }
            guard let blocker = dependencies[id, default: []].first(where: { phrases[$0.systemID] != nil }) else { continue }
            let reason = "it \(blocker.phrase), which is \(phrases[blocker.systemID]!)"
            reasons[id] = reason
            phrases[id] = "disabled because \(reason)"
        }
        return reasons
    }

    /// Every system that depends on `id`, directly or not, in start order.
    public func dependents(of id: String) -> [String] {
        var affected: Set<String> = [id]
        var result: [String] = []
        for candidate in order where candidate != id {
            if dependencies[candidate, default: []].contains(where: { affected.contains($0.systemID) }) {
                affected.insert(candidate)
                result.append(candidate)
            }
        }
        return result
    }

    /// The message for a disabled system: `webhooks is disabled: it requires jobs, which is disabled in trellis.yaml`.
    public func disabledMessage(_ id: String) -> String? {
        disabled[id].map { "\(id) is disabled: \($0)" }
    }
}
