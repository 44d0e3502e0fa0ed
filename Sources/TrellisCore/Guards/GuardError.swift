/// Why a guard refused or cut short a call into a system.
public enum GuardError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The call took longer than the limit; the caller moved on, the call may still be running.
    case timedOut(system: String, hook: String, limit: Duration)
    /// The hook's breaker is open after repeated failures; the call was not made.
    case breakerOpen(system: String, hook: String)
    /// The system already had `limit` calls in flight; the call was not made.
    case concurrencyLimit(system: String, hook: String, limit: Int)

    public var system: String {
        switch self {
        case .timedOut(let system, _, _), .breakerOpen(let system, _), .concurrencyLimit(let system, _, _): system
        }
    }

    public var description: String {
        switch self {
        case .timedOut(let system, let hook, let limit): "\(system).\(hook) did not finish within \(limit)"
        case .breakerOpen(let system, let hook): "\(system).\(hook) is not called: its circuit breaker is open after repeated failures"
        case .concurrencyLimit(let system, let hook, let limit):
            "\(system).\(hook) is not called: \(system) already has \(limit) calls in flight, its limit"
        }
    }
}
