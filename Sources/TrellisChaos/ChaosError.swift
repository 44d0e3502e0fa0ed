/// A failure the `chaos` system causes on purpose, or its refusal to run.
public struct ChaosError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// A hook misbehaved as configured (`throw`, `fail_start`).
        case injected = "chaos.injected"
        /// `environment: production`: chaos does not start there.
        case refusedInProduction = "chaos.refused_in_production"
    }

    public let code: Code
    public let message: String

    public var description: String { message }

    static func injected(target: ChaosTarget, mode: ChaosMode) -> ChaosError {
        let key = "systems.chaos.config.\(target.rawValue).mode"
        return ChaosError(
            code: .injected,
            message: mode == .failStart
                ? "chaos failed to start on purpose (\(key): fail_start); set it to none to let it start"
                : "chaos's \(target.rawValue) failed on purpose (\(key): \(mode.rawValue))")
    }

    static let refusedInProduction = ChaosError(
        code: .refusedInProduction,
        message:
            "chaos refuses to start with environment: production, because it injects failures on purpose; rehearse in development or staging, and remove systems.chaos.enabled from the production trellis.yaml"
    )
}
