/// One reason the kernel refuses to boot a set of systems.
public struct BootProblem: Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        case invalidManifest = "invalid_manifest"
        case duplicateSystem = "duplicate_system"
        case missingRequiredSystem = "missing_required_system"
        case missingCapabilityProvider = "missing_capability_provider"
        case duplicateCapabilityProvider = "duplicate_capability_provider"
        case dependencyCycle = "dependency_cycle"
        case incompatibleAPIVersion = "incompatible_api_version"
        case undeclaredSubscription = "undeclared_subscription"
        case invalidConfig = "invalid_config"
        case criticalSystemFailed = "critical_system_failed"
    }

    public let code: Code
    /// The system at fault.
    public let systemID: String
    public let message: String

    public init(_ code: Code, _ systemID: String, _ message: String) {
        self.code = code
        self.systemID = systemID
        self.message = message
    }

    public var description: String { message }
}

/// Everything wrong with a set of systems, found before any of them started.
public struct BootError: Error, Sendable, CustomStringConvertible {
    public let problems: [BootProblem]

    public init(_ problems: [BootProblem]) {
        self.problems = problems
    }

    public var description: String {
        let count = problems.count == 1 ? "1 problem" : "\(problems.count) problems"
        return "Trellis cannot boot (\(count)):\n" + problems.map { "  - \($0.message)" }.joined(separator: "\n")
    }
}
