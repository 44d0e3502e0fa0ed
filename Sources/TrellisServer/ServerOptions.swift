internal import Foundation

/// What `trellis serve` was asked on its command line.
public struct ServerOptions: Sendable {
    /// trellis.yaml; `nil` means none (or `./trellis.yaml` when it exists).
    public var configPath: String?
    public var host: String?
    public var port: Int?
    public var dataDirectory: String
    /// Re-read the config file whenever it changes, not only on SIGHUP.
    public var watch: Bool
    public var shutdownDeadline: Duration
    /// For the guard overhead benchmark only (`scripts/bench-guards`): adds this many systems
    /// (`bench_hooks_1`…) whose `beforeRequest` / `afterResponse` hooks do nothing. 0 otherwise;
    /// `trellis serve` never sets it.
    public var benchmarkHookSystems: Int
    /// Whether those systems' hooks are ``TrellisHTTPCapability/SynchronousRequestHooks`` (`true`)
    /// or async ``TrellisHTTPCapability/RequestHooks``.
    public var benchmarkHooksSynchronous: Bool

    public init(
        configPath: String? = nil, host: String? = nil, port: Int? = nil, dataDirectory: String = "trellis-data", watch: Bool = false,
        shutdownDeadline: Duration = .seconds(30), benchmarkHookSystems: Int = 0, benchmarkHooksSynchronous: Bool = false
    ) {
        self.configPath = configPath
        self.host = host
        self.port = port
        self.dataDirectory = dataDirectory
        self.watch = watch
        self.shutdownDeadline = shutdownDeadline
        self.benchmarkHookSystems = benchmarkHookSystems
        self.benchmarkHooksSynchronous = benchmarkHooksSynchronous
    }

    /// The config file to read: the one given, else `./trellis.yaml` if present.
    var resolvedConfigPath: String? {
        if let configPath { return configPath }
        return FileManager.default.fileExists(atPath: "trellis.yaml") ? "trellis.yaml" : nil
    }

    /// Command-line overrides, applied as environment variables so they win over every other layer.
    var environmentOverrides: [String: String] {
        var overrides: [String: String] = [:]
        if let host { overrides["TRELLIS_HTTP_HOST"] = host }
        if let port { overrides["TRELLIS_HTTP_PORT"] = String(port) }
        return overrides
    }
}
