public import TrellisJSON

/// What a proposed runtime config change would do, for a person to review before applying.
/// Secrets are masked in everything it shows.
public struct ConfigPreview: Sendable {
    public let systemID: String
    /// The version the change was proposed against; applying fails if another change landed since.
    public let baseVersion: Int
    /// The effective config now and after the change (environment variables applied), secrets masked.
    public let before: JSONValue
    public let after: JSONValue
    /// The change as an RFC 6902 patch from `before` to `after`, secrets masked.
    public let diff: JSONPatch
    /// Why the change cannot be applied; empty when it can.
    public let errors: [ValidationError]
    /// Values in the change that environment variables override, so the change will not show.
    public let shadowedByEnvironment: [JSONPointer]

    public var isValid: Bool { errors.isEmpty }

    /// The stored (unmasked, pre-environment) config the change would produce. Never shown.
    let proposedStoredConfig: JSONValue
}

/// A runtime config change that could not be proposed, applied or rolled back.
public struct ConfigChangeError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Equatable {
        case unknownSystem = "unknown_system"
        case invalidPatch = "invalid_patch"
        case invalidConfig = "invalid_config"
        case stale = "stale_preview"
        case conflict = "version_conflict"
        case unknownVersion = "unknown_version"
        case reconfigureFailed = "reconfigure_failed"
        case notRunning = "not_running"
    }

    public let code: Code
    public let systemID: String
    public let message: String

    public init(code: Code, systemID: String, message: String) {
        self.code = code
        self.systemID = systemID
        self.message = message
    }

    /// The error a ``ConfigStore`` throws when a version's number does not follow the latest.
    public static func conflict(_ version: ConfigVersion, expected: Int) -> ConfigChangeError {
        ConfigChangeError(
            code: .conflict, systemID: version.systemID,
            message: "config version \(version.number) of \(version.systemID) conflicts with the stored history; expected \(expected)")
    }

    public var description: String { message }
}
