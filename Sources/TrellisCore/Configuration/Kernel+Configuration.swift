public import TrellisJSON

extension Kernel {
    /// Previews a runtime change to a system's config: the patch applies to the stored
    /// config (runtime version, else the file over defaults); the preview shows the
    /// effective config before and after (environment applied, secrets masked), the diff,
    /// and every validation error.
    public func propose(_ systemID: String, _ patch: JSONPatch) throws(ConfigChangeError) -> ConfigPreview {
        guard let manifest = manifests[systemID], let schema = schemas[systemID], let mask = masks[systemID] else {
            throw ConfigChangeError(code: .unknownSystem, systemID: systemID, message: "there is no system named '\(systemID)'")
        }
        let current = configs[systemID] ?? resolver.resolve(manifest, runtime: nil).0
        let proposed: JSONValue
        do {
            proposed = try patch.apply(to: current.stored)
        } catch {
            throw ConfigChangeError(
                code: .invalidPatch, systemID: systemID, message: "the patch does not apply to \(systemID)'s config: \(error)")
        }
        let (after, environmentIssues) = resolver.applyEnvironment(manifest, stored: proposed, version: current.version)
        var errors = schema.validate(after.effective).errors.map { mask.redact($0, in: after.effective) }
        errors += environmentIssues.map {
            ValidationError(instanceLocation: $0.pointer, keywordLocation: .root, message: $0.description)
        }
        let touched = Set(patch.operations.map(\.path))
        let shadowed = touched.filter { path in
            after.environment.keys.contains { path.hasPrefix($0) || $0.hasPrefix(path) }
        }
        return ConfigPreview(
            systemID: systemID, baseVersion: current.version ?? 0,
            before: mask.mask(current.effective), after: mask.mask(after.effective),
            diff: mask.mask(JSONPatch.diff(from: current.effective, to: after.effective)),
            errors: errors, shadowedByEnvironment: shadowed.sorted { $0.description < $1.description },
            proposedStoredConfig: proposed)
    }

    /// Applies a valid preview: the system takes the new config (through `reconfigure`, or a
    /// restart of it and its dependents when it is not ``Reconfigurable``), then the change is
    /// stored as a new version. If the system rejects the config, nothing is stored and the
    /// old config stays in force.
    @discardableResult
    public func apply(_ preview: ConfigPreview, actor: String, reason: String) async throws -> ConfigVersion {
        let id = preview.systemID
        guard let manifest = manifests[id] else {
            throw ConfigChangeError(code: .unknownSystem, systemID: id, message: "there is no system named '\(id)'")
        }
        guard preview.isValid else {
            let list = preview.errors.map(\.description).joined(separator: "; ")
            throw ConfigChangeError(code: .invalidConfig, systemID: id, message: "the change to \(id)'s config is invalid: \(list)")
        }
        let currentVersion = configs[id]?.version ?? 0
        guard preview.baseVersion == currentVersion else {
            throw ConfigChangeError(
                code: .stale, systemID: id,
                message:
                    "\(id)'s config changed since this preview (now version \(currentVersion), preview of version \(preview.baseVersion)); propose the change again"
            )
        }
        let number = (try await store.latest(of: id)?.number ?? 0) + 1
        let (resolved, _) = resolver.applyEnvironment(manifest, stored: preview.proposedStoredConfig, version: number)
        let previous = configs[id]
        try await take(resolved, system: id)
        let version = ConfigVersion(systemID: id, number: number, config: preview.proposedStoredConfig, actor: actor, reason: reason)
        do {
            try await store.append(version)
        } catch {
            // Keep the system and the history in agreement: put the old config back.
            if let previous { try? await take(previous, system: id) } else { configs[id] = nil }
            throw error
        }
        emitLifecycle("kernel.config.applied", id, ["version": JSONValue(number), "actor": .string(actor), "reason": .string(reason)])
        logger.info("config of \(id) is now version \(number)", metadata: ["system": "\(id)", "actor": "\(actor)", "reason": "\(reason)"])
        return masked(version)
    }

    /// Makes an earlier version current again, as a new version (history is never rewritten).
    @discardableResult
    public func rollback(_ systemID: String, to number: Int, actor: String = "rollback") async throws -> ConfigVersion {
        let versions = try await store.versions(of: systemID)
        guard let target = versions.first(where: { $0.number == number }) else {
            throw ConfigChangeError(
                code: .unknownVersion, systemID: systemID,
                message: "\(systemID) has no config version \(number); versions are 1…\(versions.last?.number ?? 0)")
        }
        let preview = try propose(systemID, JSONPatch([.replace(path: .root, value: target.config)]))
        return try await apply(preview, actor: actor, reason: "rollback to version \(number)")
    }

    /// Every stored version of a system's config, oldest first, secrets masked.
    public func history(of systemID: String) async throws -> [ConfigVersion] {
        try await store.versions(of: systemID).map(masked)
    }

    private func masked(_ version: ConfigVersion) -> ConfigVersion {
        guard let mask = masks[version.systemID] else { return version }
        return ConfigVersion(
            systemID: version.systemID, number: version.number, config: mask.mask(version.config), actor: version.actor,
            reason: version.reason, createdAt: version.createdAt)
    }

    /// Puts a resolved config in force for a running system.
    private func take(_ resolved: ResolvedConfig, system id: String) async throws {
        let previous = configs[id]
        configs[id] = resolved
        guard states[id] == .running else { return }
        if let system = systems[id] as? any Reconfigurable {
            let context = makeContext(id)
            do {
                try await guarded(id, "reconfigure", timeout: manifests[id]!.timeLimits.reconfigure, exemptFromBulkhead: true) {
                    try await system.reconfigure(resolved.effective, context: context)
                }
            } catch {
                configs[id] = previous
                throw ConfigChangeError(
                    code: .reconfigureFailed, systemID: id,
                    message: "\(id) rejected the new config: \(error); the old config stays in force")
            }
            contexts[id] = context
            emitLifecycle("kernel.system.reconfigured", id)
        } else {
            let restarted = try await restart(id)
            if case .failed(let reason) = states[id] {
                // It did not start with the new config: bring it and its dependents back on the old one.
                configs[id] = previous
                try await restart(systems: restarted)
                throw ConfigChangeError(
                    code: .reconfigureFailed, systemID: id,
                    message: "\(id) rejected the new config: \(reason); the old config stays in force")
            }
        }
    }
}
