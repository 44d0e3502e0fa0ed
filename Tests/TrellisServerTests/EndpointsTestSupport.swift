import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle
import Synchronization
import Testing
import TrellisCore
import TrellisDatabase
import TrellisEndpoints
import TrellisHTTP
import TrellisJSON
import TrellisTesting

/// The http, database (SQLite in a temporary folder) and endpoints systems, booted through the
/// real kernel and serving on a free loopback port, with an HTTP client to talk to them.
final class EndpointsTestServer: LoopbackHTTP, Sendable {
    let harness: SystemHarness
    let client: HTTPClient
    let baseURL: String
    let port: Int
    private let database: SQLiteDatabase
    private let directory: String

    private init(harness: SystemHarness, client: HTTPClient, port: Int, database: SQLiteDatabase, directory: String) {
        self.harness = harness
        self.client = client
        self.port = port
        self.baseURL = "http://127.0.0.1:\(port)"
        self.database = database
        self.directory = directory
    }

    /// Serves `endpoints` for the duration of `body`, then stops everything and removes the data.
    static func with(
        endpoints: JSONValue, http: JSONObject = [:], _ body: (EndpointsTestServer) async throws -> Void
    ) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("trellis-endpoints-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let database = try SQLiteDatabase(path: directory + "/trellis.db")
        defer { try? database.close() }
        let httpSystem = HTTPSystem()
        var httpConfig: JSONObject = ["port": 0, "access_log": false]
        httpConfig.merge(http) { _, new in new }
        var logger = Logger(label: "trellis.endpoints-tests")
        logger.logLevel = .warning
        let harness = try SystemHarness(
            systems: [httpSystem, DatabaseSystem(database: database), EndpointsSystem()],
            config: ["http": .object(httpConfig), "endpoints": ["endpoints": endpoints]], logger: logger)
        try await harness.start()
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let server = EndpointsTestServer(
            harness: harness, client: client, port: httpSystem.listeningAddress?.port ?? 0, database: database, directory: directory)
        do {
            try await body(server)
        } catch {
            try? await client.shutdown()
            try? await harness.stop()
            throw error
        }
        try await client.shutdown()
        try await harness.stop()
    }

    /// Sends a JSON body with `Content-Type: application/json` (or `contentType`).
    func send(
        _ method: HTTPMethod, _ path: String, json: JSONValue, contentType: String = "application/json", headers: [(String, String)] = []
    ) async throws -> EndpointsTestResponse {
        try await send(method, path, headers: [("Content-Type", contentType)] + headers, body: json.serialized())
    }

    /// Changes the endpoints config at runtime through the kernel, as the admin API and SIGHUP do.
    func reconfigure(_ patch: JSONPatch) async throws {
        let preview = try await harness.kernel.propose("endpoints", patch)
        try await harness.kernel.apply(preview, actor: "test", reason: "endpoints test")
    }
}

/// A whole response.
struct EndpointsTestResponse: Sendable {
    let status: Int
    let headers: HTTPHeaders
    let body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }

    func json() throws -> JSONValue { try JSONValue(parsing: body) }

    func header(_ name: String) -> String? { headers.first(name: name) }

    /// Expects an `application/problem+json` body equal, member for member, to the one the
    /// http system renders: `type`, `title`, `status`, `detail`, `instance`, `request_id`
    /// (this response's `X-Request-Id`) and `extra`.
    func expectProblem(
        _ status: Int, _ title: String, detail: String, instance: String, type: String = "about:blank", extra: JSONObject = [:],
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        #expect(self.status == status, "status", sourceLocation: sourceLocation)
        #expect(header("Content-Type") == "application/problem+json", sourceLocation: sourceLocation)
        let requestID = try #require(header("X-Request-Id"), sourceLocation: sourceLocation)
        var expected: JSONObject = [
            "type": .string(type), "title": .string(title), "status": JSONValue(status), "detail": .string(detail),
            "instance": .string(instance), "request_id": .string(requestID),
        ]
        expected.merge(extra) { _, new in new }
        let actual = try json()
        #expect(actual == .object(expected), sourceLocation: sourceLocation)
    }
}

/// A second Hummingbird server on loopback, standing in for a proxy's upstream.
final class EndpointsUpstream: Sendable {
    let port: Int
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    private init(port: Int, group: ServiceGroup, task: Task<Void, any Error>) {
        self.port = port
        self.group = group
        self.task = task
    }

    static func start(_ router: Router<BasicRequestContext>) async throws -> EndpointsUpstream {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "trellis.endpoints-tests.upstream")
        logger.logLevel = .warning
        let application = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            }, logger: logger)
        let group = ServiceGroup(services: [application], logger: logger)
        let task = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            try await task.value
            throw EndpointsTestFailure("the upstream server did not start")
        }
        return EndpointsUpstream(port: port, group: group, task: task)
    }

    func stop() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
    }
}

/// A port nothing listens on: bound, read, closed.
func endpointsClosedPort() async throws -> Int {
    let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
    let port = channel.localAddress?.port ?? 0
    try await channel.close()
    return port
}

/// A signal one task raises and another waits for (with a deadline, so a bug fails instead of hanging).
final class EndpointsGate: Sendable {
    private let opened = Mutex(false)

    func open() { opened.withLock { $0 = true } }

    var isOpen: Bool { opened.withLock { $0 } }

    func wait(timeout: Duration = .seconds(10)) async throws {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while !opened.withLock({ $0 }) {
            guard ContinuousClock.now < deadline else { throw EndpointsTestFailure("a gate was not opened within \(timeout)") }
            try await Task.sleep(for: .milliseconds(2))
        }
    }
}

/// A value many tasks update, behind a lock.
final class EndpointsLocked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    init(_ value: Value) { mutex = Mutex(value) }

    var value: Value { mutex.withLock { $0 } }

    func update(_ change: (inout Value) -> Void) {
        mutex.withLock { value in change(&value) }
    }
}

struct EndpointsTestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension HTTPClient {
    /// Sends one request over loopback and reads the whole response: what every server test client does.
    func send(
        _ method: HTTPMethod, _ url: String, headers: [(String, String)] = [], body: String? = nil, timeout: TimeAmount = .seconds(10)
    ) async throws -> EndpointsTestResponse {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await execute(request, timeout: timeout)
        let bytes = try await response.body.collect(upTo: 16 << 20)
        return EndpointsTestResponse(status: Int(response.status.code), headers: response.headers, body: Array(bytes.readableBytesView))
    }
}

/// Something serving on loopback with a client for it: requests by path, responses read whole.
protocol LoopbackHTTP {
    var client: HTTPClient { get }
    var baseURL: String { get }
}

extension LoopbackHTTP {
    /// Sends one request and reads the whole response.
    func send(
        _ method: HTTPMethod, _ path: String, headers: [(String, String)] = [], body: String? = nil, timeout: TimeAmount = .seconds(10)
    ) async throws -> EndpointsTestResponse {
        try await client.send(method, baseURL + path, headers: headers, body: body, timeout: timeout)
    }

    func get(_ path: String, headers: [(String, String)] = []) async throws -> EndpointsTestResponse {
        try await send(.GET, path, headers: headers)
    }
}
