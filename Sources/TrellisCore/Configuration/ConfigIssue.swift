public import TrellisJSON

/// A config value that breaks its system's schema, with the layer it came from.
public struct ConfigIssue: Sendable, Hashable, CustomStringConvertible {
    /// Where the offending value was set.
    public enum Source: Sendable, Hashable {
        case file(name: String, line: Int?)
        case environment(variable: String)
        case runtime(version: Int)
        case defaults
    }

    public let systemID: String
    /// Location inside the system's config.
    public let pointer: JSONPointer
    public let message: String
    public let source: Source

    /// `trellis.yaml:12: /systems/http/config/port: 70000 is greater than the maximum of 65535`
    public var description: String {
        let location = "/systems/\(systemID)/config\(pointer)"
        switch source {
        case .file(let name, let line?): return "\(name):\(line): \(location): \(message)"
        case .file(let name, nil): return "\(name): \(location): \(message)"
        case .environment(let variable): return "environment variable \(variable): \(location): \(message)"
        case .runtime(let version): return "runtime config version \(version): \(location): \(message)"
        case .defaults: return "defaults of \(systemID): \(location): \(message)"
        }
    }
}
