public import TrellisJSON

/// Where the `chaos` system misbehaves: one of its own hooks.
public enum ChaosTarget: String, Sendable, Hashable, CaseIterable {
    case beforeRequest = "before_request"
    case afterResponse = "after_response"
    /// Its handler of `chaos.tick`, the event it emits itself every `tick_ms`.
    case event
    case start
    case health
}

/// How a hook misbehaves.
public enum ChaosMode: String, Sendable, Hashable, CaseIterable {
    /// Behaves.
    case none
    /// Throws ``ChaosFault``.
    case `throw`
    /// Waits `delay_ms`, then behaves; the wait ends early when the call is cancelled (a slow
    /// system that cooperates).
    case delay
    /// Never returns and ignores cancellation, without using a thread or CPU; the call ends
    /// only when the configuration changes or the system stops (a hung system).
    case hang
    /// Holds its thread in a synchronous sleep for `delay_ms` (a blocking syscall, a
    /// synchronous `sleep`): what the guard's blocking isolation must contain.
    case blockThread = "block_thread"
    /// `start` only: the system fails to start.
    case failStart = "fail_start"
}

/// What one target does: a mode, how often, and for how long.
public struct ChaosFaultSpec: Sendable, Hashable {
    public var mode: ChaosMode
    /// The chance, 0…1, that a call misbehaves; the others behave.
    public var probability: Double
    /// How long `delay` waits and `block_thread` blocks.
    public var delay: Duration

    public init(mode: ChaosMode = .none, probability: Double = 1, delay: Duration = .milliseconds(1_000)) {
        self.mode = mode
        self.probability = probability
        self.delay = delay
    }
}

/// The `chaos` system's config (`systems.chaos.config` in trellis.yaml), read from a
/// schema-valid value.
///
/// ```yaml
/// systems:
///   chaos:
///     enabled: true
///     config:
///       before_request: { mode: throw, probability: 0.5 }
///       after_response: { mode: delay, delay_ms: 800 }
///       event: { mode: hang }
///       start: { mode: none }        # also fail_start
///       health: { mode: none }
///       critical: false              # read at boot: changing it needs a restart
///       tick_ms: 1000
/// ```
public struct ChaosConfig: Sendable, Hashable {
    public var faults: [ChaosTarget: ChaosFaultSpec]
    /// Whether the system is critical: its hook failures give 503s and its failed start aborts the boot.
    public var critical: Bool
    /// How often the system emits `chaos.tick` to its own event handler.
    public var tick: Duration

    public init(faults: [ChaosTarget: ChaosFaultSpec] = [:], critical: Bool = false, tick: Duration = .milliseconds(1_000)) {
        self.faults = faults
        self.critical = critical
        self.tick = tick
    }

    /// Reads a config the schema accepted; what is missing takes its default.
    public init(_ value: JSONValue) {
        var faults: [ChaosTarget: ChaosFaultSpec] = [:]
        for target in ChaosTarget.allCases {
            guard let entry = value[target.rawValue] else { continue }
            var spec = ChaosFaultSpec()
            if let mode = entry["mode"]?.stringValue.flatMap(ChaosMode.init(rawValue:)) { spec.mode = mode }
            if let probability = entry["probability"]?.doubleValue { spec.probability = probability }
            if let delay = entry["delay_ms"]?.intValue { spec.delay = .milliseconds(delay) }
            faults[target] = spec
        }
        self.init(
            faults: faults, critical: value["critical"]?.boolValue ?? false,
            tick: .milliseconds(value["tick_ms"]?.intValue ?? 1_000))
    }

    public func fault(_ target: ChaosTarget) -> ChaosFaultSpec { faults[target] ?? ChaosFaultSpec() }

    /// The targets that misbehave, as `before_request=throw (p=0.5)`, for health and logs.
    public var summary: String {
        let active = ChaosTarget.allCases.compactMap { target -> String? in
            let spec = fault(target)
            guard spec.mode != .none, spec.probability > 0 else { return nil }
            let probability = spec.probability < 1 ? " (p=\(spec.probability))" : ""
            return "\(target.rawValue)=\(spec.mode.rawValue)\(probability)"
        }
        return active.isEmpty ? "no faults configured" : "rehearsing " + active.joined(separator: ", ")
    }

    /// The schema of `systems.chaos.config`.
    public static let schema: JSONValue = {
        var properties: JSONObject = [:]
        let requestModes = ChaosMode.allCases.filter { $0 != .failStart }
        for target in ChaosTarget.allCases {
            properties[target.rawValue] = faultSchema(modes: target == .start ? ChaosMode.allCases : requestModes)
        }
        properties["critical"] = ["type": "boolean"]
        properties["tick_ms"] = ["type": "integer", "minimum": 10, "maximum": 3_600_000]
        return ["type": "object", "properties": .object(properties), "additionalProperties": false]
    }()

    private static func faultSchema(modes: [ChaosMode]) -> JSONValue {
        [
            "type": "object",
            "properties": [
                "mode": ["enum": .array(modes.map { .string($0.rawValue) })],
                "probability": ["type": "number", "minimum": 0, "maximum": 1],
                "delay_ms": ["type": "integer", "minimum": 0, "maximum": 3_600_000],
            ],
            "additionalProperties": false,
        ]
    }

    /// The defaults: every target behaves.
    public static let defaults: JSONValue = {
        var defaults: JSONObject = [:]
        for target in ChaosTarget.allCases {
            defaults[target.rawValue] = ["mode": "none", "probability": 1, "delay_ms": 1_000]
        }
        defaults["critical"] = false
        defaults["tick_ms"] = 1_000
        return .object(defaults)
    }()
}
