internal import TrellisJSON

/// The checks behind ``BootPlan/make(manifests:subscriptions:switchedOff:kernelAPIVersion:)``,
/// each adding to one list of problems so that all are reported at once.
struct ManifestChecker {
    private(set) var problems: [BootProblem] = []
    private var manifests: [String: SystemManifest] = [:]
    private var ids: [String] = []
    private let kernelAPIVersion: SemanticVersion

    init(manifests list: [SystemManifest], kernelAPIVersion: SemanticVersion) {
        self.kernelAPIVersion = kernelAPIVersion
        var counts: [String: Int] = [:]
        for manifest in list { counts[manifest.id, default: 0] += 1 }
        for manifest in list where manifests[manifest.id] == nil {
            manifests[manifest.id] = manifest
            ids.append(manifest.id)
            if let count = counts[manifest.id], count > 1 {
                problems.append(
                    BootProblem(.duplicateSystem, manifest.id, "system id '\(manifest.id)' is used by \(count) systems; ids must be unique")
                )
            }
        }
        ids.sort()
    }

    mutating func checkManifests() {
        for id in ids {
            let manifest = manifests[id]!
            func invalid(_ message: String) {
                problems.append(BootProblem(.invalidManifest, id, "\(id): \(message)"))
            }
            if !Self.isValidID(id) {
                invalid("the id must match ^[a-z][a-z0-9_]*$ (lowercase letters, digits and underscores, starting with a letter)")
            }
            if SemanticVersion(manifest.version) == nil {
                invalid("version '\(manifest.version)' is not a semantic version (MAJOR.MINOR.PATCH)")
            }
            if let api = SemanticVersion(manifest.apiVersion) {
                if api.major != kernelAPIVersion.major || api.minor > kernelAPIVersion.minor {
                    problems.append(
                        BootProblem(
                            .incompatibleAPIVersion, id,
                            "\(id) targets kernel plugin API \(api), but this kernel implements \(kernelAPIVersion): a system must target the same major version and a minor version no higher than the kernel's"
                        ))
                }
            } else {
                invalid("apiVersion '\(manifest.apiVersion)' is not a semantic version (MAJOR.MINOR.PATCH)")
            }
            for name in manifest.emits where !EventName.isValid(name) {
                invalid("emitted event name '\(name)' is invalid: use lowercase dotted names like 'user.created'")
            }
            for pattern in manifest.listens where !EventName.isValidPattern(pattern) {
                invalid("listened event pattern '\(pattern)' is invalid: use a name like 'user.created', 'user.*' or '*'")
            }
            for dependency in manifest.requires + manifest.optional where dependency == id {
                invalid("a system cannot depend on itself")
            }
            do {
                let schema = try JSONSchema(manifest.configSchema)
                let result = schema.validate(manifest.defaults)
                for error in result.errors {
                    invalid("default config is invalid against its own schema: \(error)")
                }
            } catch {
                invalid("config schema does not compile: \(error.message)")
            }
        }
    }

    mutating func checkSubscriptions(_ subscriptions: [String: [String]]) {
        for id in ids {
            let listens = manifests[id]!.listens
            for pattern in subscriptions[id] ?? [] where !listens.contains(pattern) {
                problems.append(
                    BootProblem(
                        .undeclaredSubscription, id,
                        "\(id) subscribes to '\(pattern)' in register, but its manifest's listens does not include it"))
            }
        }
    }

    mutating func resolveDependencies() -> [String: [BootPlan.Dependency]] {
        var providers: [AnyCapabilityKey: [String]] = [:]
        for id in ids {
            for key in manifests[id]!.provides { providers[key, default: []].append(id) }
        }
        for (key, owners) in providers.sorted(by: { $0.key.name < $1.key.name }) where owners.count > 1 {
            problems.append(
                BootProblem(
                    .duplicateCapabilityProvider, owners[0],
                    "capability \(key) is provided by both \(owners.joined(separator: " and ")); only one system may provide it"))
        }
        var dependencies: [String: [BootPlan.Dependency]] = [:]
        for id in ids {
            let manifest = manifests[id]!
            var list: [BootPlan.Dependency] = []
            for required in manifest.requires {
                if manifests[required] == nil {
                    problems.append(BootProblem(.missingRequiredSystem, id, "\(id) requires \(required), which is not installed"))
                } else {
                    list.append(BootPlan.Dependency(systemID: required, capability: nil))
                }
            }
            for key in manifest.consumes where !manifest.provides.contains(key) {
                guard let provider = providers[key]?.first else {
                    problems.append(
                        BootProblem(.missingCapabilityProvider, id, "\(id) consumes capability \(key), but no system provides it"))
                    continue
                }
                list.append(BootPlan.Dependency(systemID: provider, capability: key.name))
            }
            dependencies[id] = list
        }
        return dependencies
    }

    /// Kahn's algorithm, always taking the smallest ready id; leftover nodes are reported as cycles.
    mutating func order(_ dependencies: [String: [BootPlan.Dependency]]) -> [String] {
        var edges: [String: Set<String>] = [:]
        for id in ids {
            var before = Set(dependencies[id, default: []].map(\.systemID))
            for optional in manifests[id]!.optional where manifests[optional] != nil { before.insert(optional) }
            before.remove(id)
            edges[id] = before
        }
        var remaining = edges
        var order: [String] = []
        while true {
            let ready = remaining.filter { $0.value.isEmpty }.keys.sorted()
            guard let next = ready.first else { break }
            order.append(next)
            remaining[next] = nil
            for key in remaining.keys { remaining[key]!.remove(next) }
        }
        reportCycles(in: remaining)
        return order
    }

    private mutating func reportCycles(in remaining: [String: Set<String>]) {
        var reported: Set<Set<String>> = []
        for start in remaining.keys.sorted() {
            var path: [String] = []
            var current = start
            while !path.contains(current) {
                path.append(current)
                guard let next = remaining[current]?.filter({ remaining[$0] != nil }).min() else { break }
                current = next
            }
            guard let loopStart = path.firstIndex(of: current) else { continue }
            var cycle = Array(path[loopStart...])
            guard reported.insert(Set(cycle)).inserted else { continue }
            let smallest = cycle.firstIndex(of: cycle.min()!)!
            cycle = Array(cycle[smallest...] + cycle[..<smallest])
            problems.append(
                BootProblem(.dependencyCycle, cycle[0], "dependency cycle: \((cycle + [cycle[0]]).joined(separator: " → "))"))
        }
    }

    func warnings(disabled: [String: String]) -> [String] {
        var warnings: [String] = []
        let emitted = ids.filter { disabled[$0] == nil }.flatMap { manifests[$0]!.emits }
        for id in ids where disabled[id] == nil {
            for pattern in manifests[id]!.listens where !emitted.contains(where: { EventName.matches($0, pattern: pattern) }) {
                if pattern.hasPrefix("kernel.") || pattern == "*" { continue }
                warnings.append("\(id) listens to '\(pattern)', but no enabled system declares it in emits")
            }
        }
        return warnings
    }

    static func isValidID(_ id: String) -> Bool {
        guard let first = id.first, first.isASCII, first.isLowercase else { return false }
        return id.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }
    }
}
