internal import Synchronization

/// The values systems provide for capability keys, filled during boot and start.
final class CapabilityRegistry: Sendable {
    private let values = Mutex<[AnyCapabilityKey: any Sendable]>([:])

    func provide<Value>(_ key: CapabilityKey<Value>, _ value: Value) {
        values.withLock { $0[AnyCapabilityKey(key)] = value }
    }

    func value<Value>(_ key: CapabilityKey<Value>) -> Value? {
        values.withLock { $0[AnyCapabilityKey(key)] } as? Value
    }

    func contains(_ key: AnyCapabilityKey) -> Bool {
        values.withLock { $0[key] != nil }
    }

    func remove(_ keys: [AnyCapabilityKey]) {
        values.withLock { values in
            for key in keys { values[key] = nil }
        }
    }
}

/// A capability problem at the moment a system asks for one.
public struct CapabilityError: Error, Sendable, Equatable, CustomStringConvertible {
    public let systemID: String
    public let capability: String
    public let message: String

    public var description: String { message }
}
