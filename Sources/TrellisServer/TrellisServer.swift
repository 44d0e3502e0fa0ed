public import Foundation
public import Logging
internal import ServiceLifecycle
internal import TrellisAdmin
internal import TrellisChaos
public import TrellisCore
internal import TrellisDatabase
internal import TrellisEndpoints
internal import TrellisHTTP
internal import TrellisHTTPCapability
internal import TrellisJSON

/// The composition root behind `trellis serve`: reads trellis.yaml, opens the database,
/// picks the built-in systems and runs the kernel until SIGTERM / SIGINT.
public final class TrellisServer: Sendable {
    public let config: TrellisConfig
    public let kernel: Kernel
    public let options: ServerOptions
    public let dataDirectory: URL
    public let databasePath: String
    let http: HTTPSystem
    let admin: AdminSystem
    let database: SQLiteDatabase
    let logger: Logger
    /// The process environment with the command line's overrides: what the kernel resolves with.
    let environment: [String: String]
    let manifests: [SystemManifest]
    /// When the config file read at setup was last modified; `--watch` reloads when it changes.
    let configModificationDate: Date?

    /// Prepares a server: nothing listens until ``run()``.
    ///
    /// - Throws: ``ServerSetupError`` with a message that says what to fix (unreadable or
    ///   invalid config, unwritable data dir, a boot plan that does not hold).
    public init(options: ServerOptions, environment: [String: String] = ProcessInfo.processInfo.environment, logger: Logger) throws {
        self.options = options
        self.logger = logger
        if let path = options.resolvedConfigPath {
            // Read before the file, so an edit made while it is read still counts as a change.
            configModificationDate = ConfigReloader.modificationDate(path)
            do {
                config = try TrellisConfig.load(path: path)
            } catch {
                throw ServerSetupError(message: "the configuration has problems:\n\(error)")
            }
        } else {
            configModificationDate = nil
            config = .empty
        }
        dataDirectory = URL(fileURLWithPath: options.dataDirectory).standardizedFileURL
        try Self.prepareDataDirectory(dataDirectory)
        do {
            database = try SQLiteDatabase(url: config.database, dataDirectory: dataDirectory.path)
        } catch {
            throw ServerSetupError(message: "\(error)")
        }
        databasePath = database.path
        http = HTTPSystem()
        // The first server in the process bootstraps swift-metrics with the Prometheus factory; later ones share it.
        admin = AdminSystem(dataDirectory: dataDirectory, processMetrics: ProcessMetrics.registry)
        let info = ServerInfoSystem(name: config.name)
        let systems =
            Self.builtInSystems(config, http: http, database: DatabaseSystem(database: database), admin: admin, info: info)
            + BenchmarkHooksSystem.systems(
                options.benchmarkHookSystems, synchronous: options.benchmarkHooksSynchronous, isolation: .cooperative)
        var environment = environment
        environment.merge(options.environmentOverrides) { _, override in override }
        self.environment = environment
        manifests = systems.map(\.manifest)
        do {
            kernel = try Kernel(
                systems: systems, file: config.file, environment: environment, store: SQLiteConfigStore(database: database), logger: logger)
        } catch {
            throw ServerSetupError(message: "\(error)")
        }
        info.attach(kernel)
        admin.attach(kernel)
    }

    /// The systems `trellis serve` installs, in one place for `serve`, `check` and `systems`;
    /// the instances the caller keeps (or replaces by manifest-only stand-ins) are passed in.
    static func builtInSystems(
        _ config: TrellisConfig, http: HTTPSystem, database: any System, admin: AdminSystem, info: ServerInfoSystem
    ) -> [any System] {
        [http, database, EndpointsSystem(), admin, info, ChaosSystem.configured(by: config)]
    }

    /// Serves until SIGTERM or SIGINT; SIGHUP (and file changes with `--watch`) reload trellis.yaml.
    ///
    /// - Throws: ``ServerSetupError`` listing every problem `trellis check` would print, before
    ///   anything starts; the kernel's boot error when a critical system cannot start.
    public func run(onReady: @escaping @Sendable (String) -> Void = { print($0) }) async throws {
        // The kernel's config store lives in the database too, so it closes only once the kernel is done.
        defer { try? database.close() }
        // The kernel validates schemas only; systems check the rest (endpoint paths, modes,
        // templates) when they start, and a non-critical one would then just be left out.
        // Refuse the whole file instead, with the lines `trellis check` gives.
        let problems = await ConfigCheck.problems(config, environment: environment)
        guard problems.isEmpty else {
            throw ServerSetupError(message: "the configuration has problems:\n\(problems.joined(separator: "\n"))")
        }
        try await recordFileChangesMadeWhileStopped()
        let reloader = await ConfigReloader.make(server: self)
        let announcer = ReadyAnnouncer(server: self, onReady: onReady)
        try await Kernel.serve(kernel, alongside: [reloader, announcer], shutdownDeadline: options.shutdownDeadline, logger: logger)
    }

    /// The actor `Kernel.reload` records file changes with.
    static let fileActor = "file"

    /// A runtime version recorded by a reload (actor `file`) is a copy of the file as it was
    /// then. Runtime versions win over the file, so if the file changed while the server was
    /// stopped, that old copy would hide the edit: record the file as it is now instead.
    /// Versions from other actors (the admin API, the assistant) still win, as designed.
    private func recordFileChangesMadeWhileStopped() async throws {
        let store = SQLiteConfigStore(database: database)
        for manifest in manifests where kernel.plan.disabled[manifest.id] == nil {
            guard let latest = try await store.latest(of: manifest.id), latest.actor == Self.fileActor else { continue }
            let file = config.file.systems[manifest.id]?.config.map { manifest.defaults.merged(with: $0) } ?? manifest.defaults
            guard latest.config != file else { continue }
            try await store.append(
                ConfigVersion(
                    systemID: manifest.id, number: latest.number + 1, config: file, actor: Self.fileActor,
                    reason: "\(config.file.fileName) changed while the server was stopped"))
            logger.info(
                "\(config.file.fileName) changed while the server was stopped: \(manifest.id) takes it as config version \(latest.number + 1)"
            )
        }
    }

    /// Where the server listens, once it does.
    public var listeningAddress: (host: String, port: Int)? { http.listeningAddress }

    /// Re-reads trellis.yaml and applies what changed; an invalid file changes nothing.
    ///
    /// Every problem is logged (with its line) here, because SIGHUP and `--watch` have no one
    /// else to tell.
    public func reload() async throws {
        guard let path = options.resolvedConfigPath else { return }
        let next: TrellisConfig
        do {
            next = try TrellisConfig.load(path: path)
        } catch {
            rejected(path, error.errors.map(\.description))
            throw error
        }
        // The same checks as at boot: the kernel's reload validates schemas only.
        let problems = await ConfigCheck.problems(next, environment: environment)
        guard problems.isEmpty else {
            rejected(path, problems)
            throw ReloadRejected(message: "\(path) was not applied:\n\(problems.joined(separator: "\n"))")
        }
        do {
            let versions = try await kernel.reload(next.file)
            let changed = versions.map { "\($0.systemID) (version \($0.number))" }
            logger.info("reloaded \(path): \(changed.isEmpty ? "nothing changed" : "reconfigured " + changed.joined(separator: ", "))")
        } catch let error as ConfigReloadError {
            rejected(path, error.issues.map { ConfigCheck.render($0, config: next) } + error.notes)
            throw error
        } catch {
            rejected(path, ["\(error)"])
            throw error
        }
    }

    private func rejected(_ path: String, _ problems: [String]) {
        for problem in problems { logger.error("reload: \(problem)") }
        logger.error("reload: \(path) was not applied; the configuration in force is unchanged")
    }

    /// The lines `trellis serve` prints once it listens.
    func banner() async -> String {
        let address =
            listeningAddress.map { "listening on http://\($0.host):\($0.port)" } ?? "not listening: the http system is not running"
        let states = await kernel.systemStates
        let enabled = states.filter { if case .running = $0.state { true } else { false } }.map(\.id)
        let off = states.compactMap { entry -> String? in
            switch entry.state {
            case .disabled(let reason), .failed(let reason): "\(entry.id) (\(reason))"
            default: nil
            }
        }
        var lines = [
            "Trellis \"\(config.name)\" (\(config.environment)) \(address)",
            "  data dir:  \(dataDirectory.path)",
            "  database:  \(databasePath)",
            "  config:    \(options.resolvedConfigPath ?? "none (defaults)")",
            "  systems:   \(enabled.joined(separator: ", "))",
        ]
        if !off.isEmpty { lines.append("  not running: \(off.joined(separator: "; "))") }
        if let notice = admin.tokenNotice { lines.append("  admin:     \(notice)") }
        let routes = (try? kernel.capability(httpRoutingKey).routeList) ?? []
        lines.append("  routes:    \(routes.joined(separator: ", "))")
        return lines.joined(separator: "\n")
    }

    private static func prepareDataDirectory(_ url: URL) throws {
        let manager = FileManager.default
        do {
            try manager.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            // Foundation's message ("error 512") does not say what is in the way; the nearest existing ancestor does.
            var blocker = url
            var isDirectory: ObjCBool = false
            while !manager.fileExists(atPath: blocker.path, isDirectory: &isDirectory), blocker.path != "/" {
                blocker = blocker.deletingLastPathComponent()
            }
            let reason = isDirectory.boolValue ? "\(blocker.path) is not writable" : "\(blocker.path) is a file, not a directory"
            throw ServerSetupError(message: "cannot create the data directory \(url.path): \(reason); choose another with --data-dir")
        }
        let probe = url.appendingPathComponent(".trellis-write-check")
        guard manager.createFile(atPath: probe.path, contents: Data()) else {
            throw ServerSetupError(
                message: "the data directory \(url.path) is not writable; fix its permissions or choose another with --data-dir")
        }
        try? manager.removeItem(at: probe)
    }
}

/// The server cannot be set up; the message says what to fix.
public struct ServerSetupError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

/// A re-read trellis.yaml was not applied; the message lists every problem with its line.
public struct ReloadRejected: Error, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

/// Prints the banner once every system has started.
struct ReadyAnnouncer: Service {
    let server: TrellisServer
    let onReady: @Sendable (String) -> Void

    func run() async throws {
        do {
            try await server.kernel.waitUntilRunning()
        } catch {
            return
        }
        onReady(await server.banner())
    }
}

extension TrellisServer {
    /// Adds `request_id` to every line logged while a request is handled: give it to
    /// `LoggingSystem.bootstrap` (`trellis serve` does).
    public static var logMetadataProvider: Logger.MetadataProvider { RequestLogging.metadataProvider }
}
