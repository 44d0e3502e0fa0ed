internal import Logging
internal import TrellisJSON

extension Kernel {
    /// Validates every enabled system's config, then starts systems in plan order.
    ///
    /// A non-critical system that fails is marked failed and its dependents disabled; a
    /// critical one stops everything that started and throws.
    func startSystems() async throws {
        phase = .starting
        do {
            try await resolveConfigs()
            events.declare(emits: manifests.values.flatMap(\.emits) + Self.lifecycleEvents)
            for id in plan.enabledOrder { events.add(subscriptions[id] ?? []) }
            for id in plan.order {
                if case .disabled(let reason) = states[id] {
                    emitLifecycle("kernel.system.disabled", id, ["reason": .string(reason)])
                    continue
                }
                try await startSystem(id)
            }
        } catch {
            phase = .failed("\(error)")
            bootFailure = error
            settleWaiters(error)
            throw error
        }
        phase = .running
        settleWaiters(nil)
        logger.info("trellis kernel running", metadata: ["systems": "\(started.joined(separator: ", "))"])
    }

    /// Loads runtime versions and validates every enabled system's merged config; all issues are reported together.
    func resolveConfigs() async throws {
        let (resolved, issues) = try await resolveAll()
        guard issues.isEmpty else { throw BootError(issues.map { BootProblem(.invalidConfig, $0.systemID, $0.description) }) }
        configs = resolved
    }

    /// Every enabled system's config resolved through its layers, with every problem found.
    func resolveAll() async throws -> ([String: ResolvedConfig], [ConfigIssue]) {
        var configs: [String: ResolvedConfig] = [:]
        var issues: [ConfigIssue] = []
        for id in plan.enabledOrder {
            let manifest = manifests[id]!
            let (resolved, environmentIssues) = resolver.resolve(manifest, runtime: try await store.latest(of: id))
            issues += environmentIssues + resolver.issues(manifest, schema: schemas[id]!, resolved: resolved)
            configs[id] = resolved
        }
        return (configs, issues)
    }

    /// Boots and starts one system whose dependencies are running; records failure without throwing
    /// unless the system is critical.
    func startSystem(_ id: String) async throws {
        if let blocker = plan.dependencies[id, default: []].first(where: { states[$0.systemID] != .running }) {
            // A dependency failed after the plan was made: this system cannot run either.
            let reason = "it \(blocker.phrase), which \(phrase(for: blocker.systemID))"
            states[id] = .disabled(reason: reason)
            events.remove(systemID: id)
            emitLifecycle("kernel.system.disabled", id, ["reason": .string(reason)])
            return
        }
        let system = systems[id]!
        let manifest = manifests[id]!
        let context = makeContext(id)
        contexts[id] = context
        states[id] = .starting
        emitLifecycle("kernel.system.starting", id)
        do {
            try await guarded(id, "boot", timeout: manifest.timeLimits.boot) { try system.boot(context) }
            try await guarded(id, "start", timeout: manifest.timeLimits.start) { try await system.start(context) }
            if let missing = manifest.provides.first(where: { !capabilities.contains($0) }) {
                throw CapabilityError(
                    systemID: id, capability: missing.name,
                    message: "\(id) declares it provides capability \(missing) but did not provide it in boot or start")
            }
        } catch {
            states[id] = .failed(reason: "failed to start: \(error)")
            logger.error("system \(id) failed to start: \(error)", metadata: ["system": "\(id)"])
            emitLifecycle("kernel.system.failed", id, ["reason": .string("\(error)")])
            events.remove(systemID: id)
            capabilities.remove(manifest.provides)
            // Its stop hook still runs: start may have acquired resources before failing.
            await runStopHook(id)
            if manifest.critical {
                let stopped =
                    started.count == 1 ? "the 1 system that had started was" : "the \(started.count) systems that had started were"
                await stopSystems()
                throw BootError([
                    BootProblem(
                        .criticalSystemFailed, id,
                        "\(id) is critical and failed to start: \(error); the boot was aborted and \(stopped) stopped")
                ])
            }
            return
        }
        states[id] = .running
        started.append(id)
        emitLifecycle("kernel.system.started", id)
    }

    /// Calls a hook of system `id` through its guard: isolated on the system's threads, bounded
    /// by `timeout`, counted, and refused while its breaker is open.
    func guarded<T: Sendable>(
        _ id: String, _ hook: String, timeout: Duration, awaitWhenCancelled: Bool = false, exemptFromBulkhead: Bool = false,
        _ operation: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        try await guards[id]!.call(
            hook, timeout: timeout, awaitWhenCancelled: awaitWhenCancelled, exemptFromBulkhead: exemptFromBulkhead, operation)
    }

    /// The phrase that explains, inside another system's reason, why `id` is not running:
    /// `is disabled in trellis.yaml`, `failed to start: …` (never `is failed to start`).
    func phrase(for id: String) -> String {
        switch states[id] {
        case .disabled(let reason)?:
            reason.hasPrefix("disabled in") ? "is \(reason)" : "is disabled because \(reason)"
        case .failed(let reason)?: reason
        case let state?: "is \(state.name)"
        case nil: "is not installed"
        }
    }

    /// Stops every started system in reverse start order.
    func stopSystems() async {
        phase = .stopping
        for id in started.reversed() { await stopSystem(id) }
        phase = .stopped
    }

    func stopSystem(_ id: String) async {
        guard states[id] == .running else { return }
        states[id] = .stopping
        events.remove(systemID: id)
        await runStopHook(id)
        capabilities.remove(manifests[id]!.provides)
        started.removeAll { $0 == id }
        states[id] = .stopped
        emitLifecycle("kernel.system.stopped", id)
    }

    private func runStopHook(_ id: String) async {
        guard let context = contexts[id] else { return }
        let system = systems[id]!
        do {
            try await guarded(id, "stop", timeout: manifests[id]!.timeLimits.stop, awaitWhenCancelled: true, exemptFromBulkhead: true) {
                try await system.stop(context)
            }
        } catch {
            logger.error("system \(id) failed to stop cleanly: \(error)", metadata: ["system": "\(id)"])
        }
    }

    /// Restarts a system and everything that depends on it, leaving the others running;
    /// returns the systems it restarted.
    @discardableResult
    func restart(_ id: String) async throws -> [String] {
        let affected = [id] + plan.dependents(of: id).filter { states[$0] == .running }
        try await restart(systems: affected)
        return affected
    }

    /// Stops `affected` in reverse order, then starts them again in order.
    func restart(systems affected: [String]) async throws {
        for system in affected.reversed() { await stopSystem(system) }
        for system in affected {
            events.add(subscriptions[system] ?? [])
            try await startSystem(system)
        }
    }

    func makeContext(_ id: String) -> SystemContext {
        let config = configs[id]?.effective ?? manifests[id]!.defaults
        var logger = self.logger
        logger[metadataKey: "system"] = "\(id)"
        return SystemContext(
            systemID: id, config: config,
            configReader: ConfigResolver.reader(for: config, mask: masks[id]!),
            logger: logger, manifest: manifests[id]!, capabilities: capabilities, bus: events, guards: guards)
    }

    func emitLifecycle(_ name: String, _ id: String, _ extra: JSONObject = [:]) {
        var payload: JSONObject = ["system": .string(id)]
        payload.merge(extra) { _, new in new }
        events.emit(Event(name: name, source: "kernel", payload: .object(payload)))
    }
}
