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
}
