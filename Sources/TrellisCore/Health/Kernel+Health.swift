internal import TrellisJSON

extension Kernel {
    /// Asks every running system for its health (each within its time limit) and aggregates.
    public func health() async -> KernelHealth {
        var systemsHealth: [KernelHealth.SystemHealth] = []
        var status = HealthReport.Status.up
        for id in plan.order {
            let manifest = manifests[id]!
            let state = states[id] ?? .planned
            var report: HealthReport?
            switch state {
            case .running:
                let system = systems[id]!
                let context = contexts[id]!
                do {
                    report = try await guarded(id, "health", timeout: manifest.timeLimits.health) { await system.health(context) }
                } catch {
                    report = HealthReport(.down, message: "health check failed: \(error)")
                }
                report = report.map { withBreakers(of: id, $0) }
            case .failed(let reason):
                report = HealthReport(.down, message: reason)
            default:
                break
            }
            if let report {
                let impact: HealthReport.Status = manifest.critical ? report.status : min(report.status, .degraded)
                status = max(status, impact)
            }
            systemsHealth.append(KernelHealth.SystemHealth(id: id, state: state.name, critical: manifest.critical, report: report))
        }
        return KernelHealth(status: status, systems: systemsHealth)
    }

    /// A system whose guard has refused or failed calls often enough to open a breaker is at
    /// best degraded, whatever it says about itself: its own report cannot see its guard.
    /// An open breaker shows until a call after `open_ms` probes it (half-open).
    private func withBreakers(of id: String, _ report: HealthReport) -> HealthReport {
        let tripped = (guards[id]?.breakerStates ?? [:]).filter { $0.value != .closed }.sorted { $0.key < $1.key }
        guard !tripped.isEmpty else { return report }
        var report = report
        report.status = max(report.status, .degraded)
        let breakers = "circuit breakers: " + tripped.map { "\($0.key) \($0.value.rawValue)" }.joined(separator: ", ")
        report.message = report.message.map { "\($0); \(breakers)" } ?? breakers
        var details = report.details.objectValue ?? [:]
        var states: JSONObject = [:]
        for (hook, state) in tripped { states[hook] = .string(state.rawValue) }
        details["breakers"] = .object(states)
        report.details = .object(details)
        return report
    }
}
