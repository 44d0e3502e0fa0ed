public import TrellisCore

/// Capabilities a test provides in place of real systems (a fake job queue, a clock).
public struct StandIns: Sendable {
    var keys: [AnyCapabilityKey] = []
    var installers: [@Sendable (SystemContext) throws -> Void] = []

    public init() {}

    /// Provides `value` for `key` to the systems under test.
    public mutating func provide<Value: Sendable>(_ key: CapabilityKey<Value>, _ value: Value) {
        keys.append(AnyCapabilityKey(key))
        installers.append { context in try context.provide(key, value) }
    }
}
