internal import Foundation
internal import HTTPTypes
internal import Hummingbird
internal import Logging
internal import NIOCore
internal import ServiceLifecycle
internal import Synchronization
public import TrellisCore
internal import TrellisHTTPCapability
internal import TrellisJSON

/// The `http` system: serves every route on Hummingbird 2 and provides the route table
/// (`http.routes`) other systems mount their routes and hooks on, and the request counts
/// (`http.statistics`) `/metrics` reports.
///
/// Config (`systems.http.config`, usually set through `server:` in trellis.yaml):
/// - `host` (string, `127.0.0.1`), `port` (0–65535, `8080`; 0 picks a free port)
/// - `body_limit` (bytes, `1048576`): larger bodies get a 413 problem
/// - `access_log` (bool, `true`): one structured log line per request
public final class HTTPSystem: TrellisCore.System, Sendable {
    public static let id = "http"

    private struct Running {
        var group: ServiceGroup
        var task: Task<Void, any Error>
    }

    private let running = Mutex<Running?>(nil)
    /// Where the server listens; a class so the server's `onServerRunning` callback can share it.
    private final class ListeningAddress: Sendable {
        let value = Mutex<(host: String, port: Int)?>(nil)
    }

    private let address = ListeningAddress()

    public init() {}

    public var manifest: SystemManifest {
        SystemManifest(
            id: Self.id, version: "1.0.0", summary: "HTTP server (Hummingbird): routes, request ids, access log, limits, problem+json",
            provides: [AnyCapabilityKey(httpRoutingKey), AnyCapabilityKey(httpStatisticsKey)],
            configSchema: [
                "type": "object",
                "properties": [
                    "host": ["type": "string", "minLength": 1],
                    "port": ["type": "integer", "minimum": 0, "maximum": 65535],
                    "body_limit": ["type": "integer", "minimum": 0],
                    "access_log": ["type": "boolean"],
                ],
                "additionalProperties": false,
            ],
            defaults: ["host": "127.0.0.1", "port": 8080, "body_limit": 1_048_576, "access_log": true],
            critical: true)
    }

    /// Where the server listens once started (`port` is the real one when configured as 0).
    public var listeningAddress: (host: String, port: Int)? { address.value.withLock { $0 } }

    public func start(_ context: SystemContext) async throws {
        let host = context.config["host"]?.stringValue ?? "127.0.0.1"
        let port = context.config["port"]?.intValue ?? 8080
        let table = RouteTable(builtIn: [], guards: context.guards)
        try context.provide(httpRoutingKey, table)
        let statistics = RequestCounter()
        try context.provide(httpStatisticsKey, statistics)
        let responder = TrellisResponder(
            table: table, bodyLimit: context.config["body_limit"]?.intValue ?? 1_048_576,
            accessLog: context.config["access_log"]?.boolValue ?? true, guards: context.guards, statistics: statistics)
        let (listening, listeningContinuation) = AsyncStream.makeStream(of: Int.self)
        let address = self.address
        let application = Application(
            responder: responder,
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "trellis"),
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? port
                address.value.withLock { $0 = (host, bound) }
                listeningContinuation.yield(bound)
                listeningContinuation.finish()
            },
            logger: context.logger)
        let group = ServiceGroup(services: [application], logger: context.logger)
        // The server runs for as long as the system does: this task is awaited in `stop`.
        let task = Task {
            defer { listeningContinuation.finish() }
            try await group.run()
        }
        running.withLock { $0 = Running(group: group, task: task) }
        var iterator = listening.makeAsyncIterator()
        if await iterator.next() == nil {
            running.withLock { $0 = nil }
            do {
                try await task.value
            } catch {
                throw HTTPStartError(host: host, port: port, underlying: "\(error)")
            }
            throw HTTPStartError(host: host, port: port, underlying: "the server stopped before it was ready")
        }
    }

    /// Stops accepting connections and waits for in-flight requests to finish.
    public func stop(_ context: SystemContext) async throws {
        guard
            let current = running.withLock({ state in
                defer { state = nil }
                return state
            })
        else { return }
        await current.group.triggerGracefulShutdown()
        try await current.task.value
        address.value.withLock { $0 = nil }
    }

    public func health(_ context: SystemContext) async -> HealthReport {
        guard let (host, port) = listeningAddress else { return HealthReport(.down, message: "not listening") }
        return HealthReport(.up, message: "listening on \(host):\(port)", details: ["host": .string(host), "port": JSONValue(port)])
    }
}

/// The server could not start listening.
public struct HTTPStartError: Error, Sendable, CustomStringConvertible {
    public let host: String
    public let port: Int
    public let underlying: String

    public var description: String {
        if underlying.contains("Address already in use") || underlying.contains("errno: 98") {
            return "cannot listen on \(host):\(port): the port is already in use; stop the other server or choose another port with --port"
        }
        return "cannot listen on \(host):\(port): \(underlying)"
    }
}
