public import TrellisJSON

/// How a system is doing, as its `health` hook reports it.
public struct HealthReport: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Hashable, Codable, Comparable {
        case up, degraded, down

        private var severity: Int {
            switch self {
            case .up: 0
            case .degraded: 1
            case .down: 2
            }
        }

        public static func < (lhs: Status, rhs: Status) -> Bool { lhs.severity < rhs.severity }
    }

    public var status: Status
    /// A sentence for people (`connected to 3 replicas`, `breaker open since 12:03`).
    public var message: String?
    /// Structured details for dashboards.
    public var details: JSONValue

    public init(_ status: Status, message: String? = nil, details: JSONValue = [:]) {
        self.status = status
        self.message = message
        self.details = details
    }

    public static let up = HealthReport(.up)
}

/// The kernel's view of every system's health.
public struct KernelHealth: Sendable, Codable {
    public struct SystemHealth: Sendable, Codable {
        public let id: String
        public let state: String
        public let critical: Bool
        public let report: HealthReport?
    }

    /// `down` when a critical system is down; `degraded` when any running system is not up
    /// or any enabled system failed; `up` otherwise.
    public let status: HealthReport.Status
    public let systems: [SystemHealth]
}
