internal import TrellisJSON

/// A new `trellis.yaml` that cannot be applied; nothing was changed.
public struct ConfigReloadError: Error, Sendable, CustomStringConvertible {
    public let issues: [ConfigIssue]
    public let notes: [String]

    public var description: String {
        (["the new configuration was not applied (\(issues.count) problem\(issues.count == 1 ? "" : "s")):"]
            + issues.map { "  \($0)" } + notes.map { "  \($0)" }).joined(separator: "\n")
    }
}

extension Kernel {
    /// Every problem with the enabled systems' configs as they stand (file, runtime versions,
    /// environment), without starting anything: what `trellis check` reports.
    public func configurationIssues() async throws -> [ConfigIssue] {
        try await resolveAll().1
    }

    /// Applies a re-read `trellis.yaml` as runtime changes with the actor `file`: only systems
    /// whose section changed are reconfigured (or restarted), each recorded as a config
    /// version. If any changed system's new config is invalid, nothing changes and every
    /// problem is reported with its line.
    ///
    /// - Returns: the versions stored, one per changed system.
    @discardableResult
    public func reload(_ file: FileConfiguration) async throws -> [ConfigVersion] {
        let next = ConfigResolver(file: file, environment: resolver.environment)
        var notes: [String] = []
        var changes: [(id: String, stored: JSONValue)] = []
        var issues: [ConfigIssue] = []
        for id in plan.order {
            let byDefault = manifests[id]?.enabledByDefault ?? true
            let before = resolver.file.systems[id]?.enabled ?? byDefault
            let after = file.systems[id]?.enabled ?? byDefault
            if before != after {
                notes.append("\(id): enabling or disabling a system takes effect at the next start")
            }
            if resolver.file.systems[id]?.guardConfig != file.systems[id]?.guardConfig {
                notes.append("\(id): a changed guard policy (systems.\(id).guard) takes effect at the next start")
            }
            guard plan.disabled[id] == nil, let manifest = manifests[id] else { continue }
            let stored = next.fileLayer(manifest)
            guard stored != resolver.fileLayer(manifest) else { continue }
            let (resolved, environmentIssues) = next.applyEnvironment(manifest, stored: stored, version: nil)
            issues += environmentIssues + next.issues(manifest, schema: schemas[id]!, resolved: resolved)
            changes.append((id, stored))
        }
        guard issues.isEmpty else { throw ConfigReloadError(issues: issues, notes: notes) }
        for note in notes { logger.warning("\(note)") }
        resolver = next
        var versions: [ConfigVersion] = []
        for (id, stored) in changes {
            let preview = try propose(id, JSONPatch([.replace(path: .root, value: stored)]))
            versions.append(try await apply(preview, actor: "file", reason: "\(file.fileName) changed"))
        }
        return versions
    }
}
