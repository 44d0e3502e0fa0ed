import Foundation
import Hummingbird
import Logging
import Synchronization
import Testing
import TrellisAdmin
import TrellisCore
import TrellisHTTP
import TrellisHTTPCapability
import TrellisJSON
import TrellisServer
import TrellisTesting

/// The http, admin and server (`/health`) systems, plus any under test, booted through the real
/// kernel on a free loopback port, with a client (``ServeClient``) and the admin token.
final class AdminTestServer: Sendable {
    static let token = "admin-token-for-the-tests-0123456789"

    let harness: SystemHarness
    let admin: AdminSystem
    let client: ServeClient
    let port: Int
    /// The data dir the admin system keeps a generated token in.
    let directory: ServeDirectory

    private init(harness: SystemHarness, admin: AdminSystem, client: ServeClient, port: Int, directory: ServeDirectory) {
        self.harness = harness
        self.admin = admin
        self.client = client
        self.port = port
        self.directory = directory
    }

    /// Serves for the duration of `body`, then stops everything.
    ///
    /// - Parameters:
    ///   - environment: the process environment the kernel sees; by default `TRELLIS_ADMIN_TOKEN` is ``token``.
    ///   - admin: the admin system's config (`metrics_public`).
    static func with(
        systems: [any System] = [], admin adminConfig: JSONObject = [:], environment: [String: String] = ["TRELLIS_ADMIN_TOKEN": token],
        disabled: Set<String> = [], directory: ServeDirectory? = nil, _ body: (AdminTestServer) async throws -> Void
    ) async throws {
        let directory = try directory ?? ServeDirectory()
        let http = HTTPSystem()
        let admin = AdminSystem(dataDirectory: directory.url)
        let info = ServerInfoSystem(name: "admin-tests")
        var logger = Logger(label: "trellis.admin-tests")
        logger.logLevel = .critical
        let harness = try SystemHarness(
            systems: [http, admin, info] + systems,
            config: ["http": ["port": 0, "access_log": false], "admin": .object(adminConfig)], disabled: disabled,
            environment: environment, logger: logger)
        admin.attach(harness.kernel)
        info.attach(harness.kernel)
        try await harness.start()
        let port = try #require(http.listeningAddress?.port)
        do {
            try await ServeClient.with(port: port) { client in
                try await body(AdminTestServer(harness: harness, admin: admin, client: client, port: port, directory: directory))
            }
        } catch {
            try? await harness.stop()
            throw error
        }
        try await harness.stop()
    }

    /// `GET path` with the admin token.
    func admin(_ path: String) async throws -> EndpointsTestResponse {
        try await client.get(path, headers: [("Authorization", "Bearer \(Self.token)")])
    }

    /// `/metrics` with the admin token, parsed.
    func metrics() async throws -> PrometheusText {
        let response = try await admin("/metrics")
        #expect(response.status == 200)
        return try PrometheusText(response.text)
    }

    /// `/api/v1/admin/systems` with the admin token: the entry of one system.
    func system(_ id: String) async throws -> JSONValue {
        let response = try await admin("/api/v1/admin/systems")
        #expect(response.status == 200)
        guard case .array(let systems) = try response.json(), let entry = systems.first(where: { $0["id"] == .string(id) }) else {
            throw ServeTestFailure("no system \(id) in \(response.text)")
        }
        return entry
    }
}

/// A system with two routes and request hooks whose `beforeRequest` throws while `failing` is
/// set. Its breakers open after 3 consecutive failures and stay open `openDuration` (long by
/// default, so a slow machine cannot turn a count into a probe); one probe closes them.
final class FlakySystem: System, Sendable {
    let openDuration: Duration

    init(openDuration: Duration = .seconds(60)) {
        self.openDuration = openDuration
    }

    private struct Hooks: RequestHooks {
        let failing: EndpointsLocked<Bool>

        func beforeRequest(_ request: Request, context: TrellisRequestContext) async throws -> Response? {
            if failing.value { throw FlakyFailure() }
            return nil
        }
    }

    /// While `true`, `beforeRequest` throws.
    let failing = EndpointsLocked(false)

    var manifest: SystemManifest {
        SystemManifest(
            id: "flaky", version: "2.1.0", summary: "Test system with a hook that fails on demand", requires: ["http"],
            consumes: [AnyCapabilityKey(httpRoutingKey)], emits: ["flaky.pinged"],
            guardPolicy: GuardPolicy(breaker: BreakerPolicy(consecutiveFailures: 3, openDuration: openDuration, halfOpenProbes: 1)))
    }

    func start(_ context: SystemContext) async throws {
        let routing = try context.capability(httpRoutingKey)
        routing.setRoutes(
            [
                Route(.get, "/ping") { _, _ in Response.json(["pong": true]) },
                Route(.get, "/items/{id}") { _, context in Response.json(["id": .string(context.parameters.get("id") ?? "")]) },
            ], system: "flaky")
        routing.addHooks(Hooks(failing: failing), system: "flaky")
    }
}

/// A system whose start fails with `reason`.
struct BrokenSystem: System {
    let reason: String

    var manifest: SystemManifest { SystemManifest(id: "broken", version: "0.1.0", summary: "Test system that cannot start") }

    func start(_ context: SystemContext) async throws { throw ServeTestFailure(reason) }
}

struct FlakyFailure: Error, CustomStringConvertible {
    var description: String { "the flaky hook failed on purpose" }
}

/// A Prometheus text exposition, parsed: each sample by name and labels, and each family's type.
struct PrometheusText {
    struct Sample: Hashable {
        let name: String
        let labels: [String: String]
        let value: Double
    }

    let samples: [Sample]
    let types: [String: String]

    /// Parses `text`, failing on any line that is not a comment or a well-formed sample, and on a
    /// series given twice.
    init(_ text: String) throws {
        var samples: [Sample] = []
        var types: [String: String] = [:]
        var seen = Set<String>()
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# TYPE ") {
                let parts = line.dropFirst(7).split(separator: " ")
                guard parts.count == 2, types[String(parts[0])] == nil else { throw ServeTestFailure("bad or repeated TYPE line: \(line)") }
                types[String(parts[0])] = String(parts[1])
                continue
            }
            if line.hasPrefix("#") { continue }
            let sample = try Self.sample(String(line))
            guard seen.insert(line.split(separator: " ").dropLast().joined(separator: " ")).inserted else {
                throw ServeTestFailure("series given twice: \(line)")
            }
            samples.append(sample)
        }
        self.samples = samples
        self.types = types
    }

    /// The value of the one sample named `name` whose labels include `labels`; `nil` when none is.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        let matching = samples.filter { sample in sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value } }
        return matching.count == 1 ? matching[0].value : nil
    }

    /// Every sample named `name`.
    func samples(_ name: String) -> [Sample] { samples.filter { $0.name == name } }

    /// `name{a="1",b="x \"y\""} 12` → name, labels and value.
    private static func sample(_ line: String) throws -> Sample {
        let bytes = Array(line.utf8)
        var index = 0
        /// The byte at `index`; a line that ends early is malformed.
        func current() throws -> UInt8 {
            guard index < bytes.count else { throw ServeTestFailure("the line ends early: \(line)") }
            return bytes[index]
        }
        while try current() != UInt8(ascii: "{"), try current() != UInt8(ascii: " ") { index += 1 }
        let name = String(decoding: bytes[..<index], as: UTF8.self)
        guard let first = name.first, !first.isNumber,
            name.allSatisfy({ $0 == "_" || $0 == ":" || ($0.isASCII && ($0.isLetter || $0.isNumber)) })
        else { throw ServeTestFailure("bad metric name in: \(line)") }
        var labels: [String: String] = [:]
        if try current() == UInt8(ascii: "{") {
            index += 1
            while try current() != UInt8(ascii: "}") {
                let start = index
                while try current() != UInt8(ascii: "=") { index += 1 }
                let key = String(decoding: bytes[start..<index], as: UTF8.self)
                index += 1
                guard try current() == UInt8(ascii: "\"") else { throw ServeTestFailure("unquoted label value in: \(line)") }
                index += 1
                var value: [UInt8] = []
                while try current() != UInt8(ascii: "\"") {
                    if try current() == UInt8(ascii: "\\") {
                        index += 1
                        value.append(try current() == UInt8(ascii: "n") ? UInt8(ascii: "\n") : try current())
                    } else {
                        value.append(try current())
                    }
                    index += 1
                }
                guard labels.updateValue(String(decoding: value, as: UTF8.self), forKey: key) == nil else {
                    throw ServeTestFailure("label \(key) given twice in: \(line)")
                }
                index += 1
                if try current() == UInt8(ascii: ",") { index += 1 }
            }
            index += 1
        }
        guard try current() == UInt8(ascii: " "), let value = Double(String(decoding: bytes[(index + 1)...], as: UTF8.self)) else {
            throw ServeTestFailure("bad sample value in: \(line)")
        }
        return Sample(name: name, labels: labels, value: value)
    }
}
