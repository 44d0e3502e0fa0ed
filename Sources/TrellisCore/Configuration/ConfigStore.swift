public import Foundation
public import TrellisJSON

/// One stored version of a system's runtime config.
public struct ConfigVersion: Sendable, Codable, Hashable {
    public let systemID: String
    /// 1, 2, 3… per system.
    public let number: Int
    /// The system's config as stored (before environment variables are applied); it holds
    /// secrets in clear, so it is never shown: ``Kernel/history(of:)`` masks it.
    public let config: JSONValue
    /// Who made the change (`admin`, `assistant`, `file`, `rollback`).
    public let actor: String
    public let reason: String
    public let createdAt: Date

    public init(systemID: String, number: Int, config: JSONValue, actor: String, reason: String, createdAt: Date = Date()) {
        self.systemID = systemID
        self.number = number
        self.config = config
        self.actor = actor
        self.reason = reason
        self.createdAt = createdAt
    }
}

/// Where runtime config versions live. In memory here; `trellis serve` stores them in its database.
public protocol ConfigStore: Sendable {
    /// Every version of a system's config, oldest first.
    func versions(of systemID: String) async throws -> [ConfigVersion]
    /// Stores a new version; its number must be one more than the latest.
    func append(_ version: ConfigVersion) async throws
}

extension ConfigStore {
    public func latest(of systemID: String) async throws -> ConfigVersion? {
        try await versions(of: systemID).last
    }
}

/// A ``ConfigStore`` that keeps versions in memory (tests, and servers without a database).
public actor InMemoryConfigStore: ConfigStore {
    private var storage: [String: [ConfigVersion]] = [:]

    public init() {}

    public func versions(of systemID: String) -> [ConfigVersion] {
        storage[systemID] ?? []
    }

    public func append(_ version: ConfigVersion) throws {
        let expected = (storage[version.systemID]?.last?.number ?? 0) + 1
        guard version.number == expected else { throw ConfigChangeError.conflict(version, expected: expected) }
        storage[version.systemID, default: []].append(version)
    }
}
