public import TrellisJSON

/// What a system declares about itself; the kernel checks the whole set against these
/// declarations before anything starts.
///
/// ```swift
/// SystemManifest(
///     id: "greeter", version: "1.0.0", summary: "Says hello",
///     provides: [.init(GreeterKey)], emits: ["greeting.sent"],
///     configSchema: ["type": "object", "properties": ["greeting": ["type": "string"]]],
///     defaults: ["greeting": "Hello"])
/// ```
public struct SystemManifest: Sendable {
    /// Stable identifier, `^[a-z][a-z0-9_]*$`; names the system in config, logs and routes.
    public var id: String
    public var version: String
    /// The kernel plugin API the system was built for: same major as the kernel's, minor not above it.
    public var apiVersion: String
    public var summary: String
    /// Systems that must be present and running for this one to run.
    public var requires: [String]
    /// Systems started before this one when present; their absence is fine.
    public var optional: [String]
    public var provides: [AnyCapabilityKey]
    public var consumes: [AnyCapabilityKey]
    /// Event names this system emits (`user.created`).
    public var emits: [String]
    /// Event names or patterns it listens to (`user.created`, `user.*`, `*`).
    public var listens: [String]
    /// JSON Schema (2020-12) of the system's config; `writeOnly` or `x-secret` marks secrets.
    public var configSchema: JSONValue
    /// The lowest config layer, under `trellis.yaml`, runtime changes and the environment.
    public var defaults: JSONValue
    public var permissions: [String]
    /// A critical system's failure aborts the boot instead of degrading the server.
    public var critical: Bool
    /// Whether the system runs when trellis.yaml says nothing about `systems.<id>.enabled`.
    /// A system that is off by default (a fault injector, a debugging aid) runs only when the
    /// file sets `enabled: true`; otherwise it is disabled with a reason that says so.
    public var enabledByDefault: Bool
    public var timeLimits: HookTimeLimits
    /// How request-path calls into the system are guarded; `systems.<id>.guard` in trellis.yaml overrides it.
    public var guardPolicy: GuardPolicy

    public init(
        id: String,
        version: String,
        apiVersion: String = Kernel.apiVersion.description,
        summary: String,
        requires: [String] = [],
        optional: [String] = [],
        provides: [AnyCapabilityKey] = [],
        consumes: [AnyCapabilityKey] = [],
        emits: [String] = [],
        listens: [String] = [],
        configSchema: JSONValue = ["type": "object"],
        defaults: JSONValue = [:],
        permissions: [String] = [],
        critical: Bool = false,
        enabledByDefault: Bool = true,
        timeLimits: HookTimeLimits = HookTimeLimits(),
        guardPolicy: GuardPolicy = GuardPolicy()
    ) {
        self.id = id
        self.version = version
        self.apiVersion = apiVersion
        self.summary = summary
        self.requires = requires
        self.optional = optional
        self.provides = provides
        self.consumes = consumes
        self.emits = emits
        self.listens = listens
        self.configSchema = configSchema
        self.defaults = defaults
        self.permissions = permissions
        self.critical = critical
        self.enabledByDefault = enabledByDefault
        self.timeLimits = timeLimits
        self.guardPolicy = guardPolicy
    }
}

/// How long each lifecycle hook may take before the kernel gives up on it.
public struct HookTimeLimits: Sendable, Hashable {
    public var boot: Duration
    public var start: Duration
    public var reconfigure: Duration
    public var health: Duration
    public var stop: Duration

    public init(
        boot: Duration = .seconds(1), start: Duration = .seconds(30), reconfigure: Duration = .seconds(10),
        health: Duration = .seconds(2), stop: Duration = .seconds(10)
    ) {
        self.boot = boot
        self.start = start
        self.reconfigure = reconfigure
        self.health = health
        self.stop = stop
    }
}
