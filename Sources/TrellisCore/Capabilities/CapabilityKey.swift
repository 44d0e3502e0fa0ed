/// A typed name for a service one system provides and others consume.
///
/// ```swift
/// protocol JobQueue: Sendable { func enqueue(_ job: String) async throws }
/// let JobQueueKey = CapabilityKey<any JobQueue>("jobs.queue")
/// ```
public struct CapabilityKey<Value: Sendable>: Sendable, Hashable, CustomStringConvertible {
    public let name: String
    /// `Value`'s name, computed once: keys are looked up on hot paths, reflection is slow.
    let typeName: String

    public init(_ name: String) {
        self.name = name
        self.typeName = String(reflecting: Value.self)
    }

    public var description: String { "'\(name)' (\(Value.self))" }
}

/// A capability key with its type erased, as manifests list them.
public struct AnyCapabilityKey: Sendable, Hashable, CustomStringConvertible {
    public let name: String
    /// The Swift type the key carries; two keys with one name and different types are different keys.
    public let typeName: String

    public init<Value>(_ key: CapabilityKey<Value>) {
        self.name = key.name
        self.typeName = key.typeName
    }

    public var description: String { "'\(name)'" }
}
