/// Where a system is in its lifecycle.
public enum SystemState: Sendable, Hashable, CustomStringConvertible {
    /// In the plan, not started yet.
    case planned
    /// Not run; the reason says why, including the chain through its dependencies.
    case disabled(reason: String)
    case starting
    case running
    /// Its boot or start failed; it is not running and its dependents are disabled.
    case failed(reason: String)
    case stopping
    case stopped

    public var name: String {
        switch self {
        case .planned: "planned"
        case .disabled: "disabled"
        case .starting: "starting"
        case .running: "running"
        case .failed: "failed"
        case .stopping: "stopping"
        case .stopped: "stopped"
        }
    }

    public var description: String {
        switch self {
        case .disabled(let reason), .failed(let reason): "\(name): \(reason)"
        default: name
        }
    }
}
