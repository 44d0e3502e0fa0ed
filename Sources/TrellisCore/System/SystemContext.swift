public import Configuration
public import Logging
public import TrellisJSON

/// What a system's hooks receive: its own config, logger, event emitter and the
/// capabilities it declared.
public struct SystemContext: Sendable {
    public let systemID: String
    /// The system's merged, validated config (env over runtime over trellis.yaml over defaults).
    public let config: JSONValue
    /// The same config through swift-configuration, scoped to this system (`reader.int(forKey: "port")`).
    public let configReader: ConfigReader
    public let logger: Logger
    let manifest: SystemManifest
    let capabilities: CapabilityRegistry
    let bus: EventBus
    /// Every system's guard: a system that calls into others (the HTTP system calling hooks
    /// and routes) calls through their guards.
    public let guards: Guards

    /// The value of a capability this system consumes.
    ///
    /// - Throws: ``CapabilityError`` when the manifest does not list the key in `consumes`
    ///   (declare it), or when its provider has not provided it (only possible if called in
    ///   `register`-time code; the kernel starts providers first).
    public func capability<Value>(_ key: CapabilityKey<Value>) throws(CapabilityError) -> Value {
        let erased = AnyCapabilityKey(key)
        guard manifest.consumes.contains(erased) || manifest.provides.contains(erased) else {
            throw CapabilityError(
                systemID: systemID, capability: key.name,
                message: "\(systemID) asked for capability \(key) but does not list it in its manifest's consumes; add it there")
        }
        guard let value = capabilities.value(key) else {
            throw CapabilityError(
                systemID: systemID, capability: key.name,
                message: "\(systemID) asked for capability \(key) before its provider made it available")
        }
        return value
    }

    /// Makes `value` the capability for `key`; the manifest must list the key in `provides`.
    public func provide<Value>(_ key: CapabilityKey<Value>, _ value: Value) throws(CapabilityError) {
        guard manifest.provides.contains(AnyCapabilityKey(key)) else {
            throw CapabilityError(
                systemID: systemID, capability: key.name,
                message: "\(systemID) provides capability \(key) but does not list it in its manifest's provides; add it there")
        }
        capabilities.provide(key, value)
    }

    /// Emits an event from this system without waiting for its handlers.
    public func emit(_ name: String, payload: JSONValue = .null, correlationID: String? = nil) {
        bus.emit(Event(name: name, source: systemID, payload: payload, correlationID: correlationID))
    }

    /// Emits an event with a `Codable` payload.
    public func emit(_ name: String, _ payload: some Encodable & Sendable, correlationID: String? = nil) throws {
        emit(name, payload: try JSONValue(encoding: payload), correlationID: correlationID)
    }

    /// Emits an event and waits for every handler, returning each one's outcome.
    public func emitAndWait(_ name: String, payload: JSONValue = .null, correlationID: String? = nil) async -> [HandlerOutcome] {
        await bus.emitAndWait(Event(name: name, source: systemID, payload: payload, correlationID: correlationID))
    }
}
