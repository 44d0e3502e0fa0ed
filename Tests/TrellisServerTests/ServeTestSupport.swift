import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization
import Testing
import TrellisJSON
import TrellisServer
import TrellisTesting

/// A fresh folder under the temporary directory, removed with everything in it when the last
/// reference goes away: a server's data dir, its trellis.yaml, a command's working directory.
final class ServeDirectory: Sendable {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("trellis-serve-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    var path: String { url.path }

    /// The absolute path of `name` inside the folder.
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// Writes `text` to `name`, replacing what was there.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        try Data(text.utf8).write(to: url.appendingPathComponent(name))
        return path(name)
    }
}

/// The examples shipped in `examples/`, read from the source tree.
enum Examples {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("examples")

    static func configPath(_ name: String) -> String {
        directory.appendingPathComponent(name).appendingPathComponent("trellis.yaml").path
    }

    static func config(_ name: String) throws -> String {
        try String(contentsOfFile: configPath(name), encoding: .utf8)
    }
}

/// An HTTP client for one server's base URL; responses are read whole.
final class ServeClient: LoopbackHTTP, Sendable {
    let baseURL: String
    let client = HTTPClient(eventLoopGroupProvider: .singleton)

    init(port: Int) {
        baseURL = "http://127.0.0.1:\(port)"
    }

    /// Runs `body` with a client for `port`, shut down afterwards whatever happens.
    static func with<Result>(port: Int, _ body: (ServeClient) async throws -> Result) async throws -> Result {
        let client = ServeClient(port: port)
        do {
            let result = try await body(client)
            try await client.client.shutdown()
            return result
        } catch {
            try? await client.client.shutdown()
            throw error
        }
    }

    /// Sends `json` (as text, so a test can show exactly what curl would send) with its content type.
    func send(
        _ method: HTTPMethod, _ path: String, json: String, contentType: String = "application/json", headers: [(String, String)] = []
    )
        async throws -> EndpointsTestResponse
    {
        try await send(method, path, headers: [("Content-Type", contentType)] + headers, body: json)
    }
}

/// A ``TrellisServer`` running in this process on a free loopback port.
final class InProcessServer: Sendable {
    let server: TrellisServer
    let port: Int
    let banner: String
    private let task: Task<Void, any Error>

    private init(server: TrellisServer, port: Int, banner: String, task: Task<Void, any Error>) {
        self.server = server
        self.port = port
        self.banner = banner
        self.task = task
    }

    /// Starts a server on `dataDirectory` (with `configPath`, if any) and waits until it listens.
    static func start(configPath: String?, dataDirectory: String) async throws -> InProcessServer {
        var logger = Logger(label: "trellis.serve-tests")
        logger.logLevel = .warning
        let server = try TrellisServer(
            options: ServerOptions(configPath: configPath, port: 0, dataDirectory: dataDirectory, shutdownDeadline: .seconds(5)),
            environment: [:], logger: logger)
        let (banners, continuation) = AsyncStream.makeStream(of: String.self)
        let task = Task {
            defer { continuation.finish() }
            try await server.run { banner in continuation.yield(banner) }
        }
        var iterator = banners.makeAsyncIterator()
        guard let banner = await iterator.next(), let address = server.listeningAddress else {
            try await task.value
            throw ServeTestFailure("the server stopped before it was ready")
        }
        return InProcessServer(server: server, port: address.port, banner: banner, task: task)
    }

    /// Serves for the duration of `body`, then stops.
    static func with<Result>(
        configPath: String?, dataDirectory: String, _ body: (InProcessServer, ServeClient) async throws -> Result
    ) async throws -> Result {
        let running = try await start(configPath: configPath, dataDirectory: dataDirectory)
        do {
            let result = try await ServeClient.with(port: running.port) { client in try await body(running, client) }
            try await running.stop()
            return result
        } catch {
            try? await running.stop()
            throw error
        }
    }

    /// Cancels the server's task, which stops every system in reverse order, and waits until it has.
    func stop() async throws {
        task.cancel()
        try await task.value
    }
}

/// The `trellis` executable SwiftPM built next to this test bundle, run as a user would.
///
/// Like the CLI tests' `TrellisBinary`, but for a server that keeps running: output goes to
/// files (a pipe nobody reads could fill and stall the child), which the test polls. Launched
/// with ``ChildProcess`` (posix_spawn), not Foundation's `Process`, whose `run()` can crash the
/// test run on Linux (swift-corelibs-foundation#5472).
final class TrellisProcess: Sendable {
    static let url: URL = {
        #if os(macOS)
            for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
                return bundle.bundleURL.deletingLastPathComponent().appendingPathComponent("trellis")
            }
        #endif
        return Bundle.main.bundleURL.appendingPathComponent("trellis")
    }()

    let startedAt: ContinuousClock.Instant
    private let child: ChildProcess
    private let outputURL: URL
    private let errorURL: URL

    /// Starts `trellis ARGUMENTS` in `directory`.
    init(_ arguments: [String], in directory: ServeDirectory) throws {
        guard FileManager.default.isExecutableFile(atPath: Self.url.path) else {
            throw ServeTestFailure(
                "no trellis executable at \(Self.url.path); build the package's products first (swift build --build-tests)")
        }
        let capture = "trellis-\(UUID().uuidString)"
        outputURL = FileManager.default.temporaryDirectory.appendingPathComponent("\(capture).out")
        errorURL = FileManager.default.temporaryDirectory.appendingPathComponent("\(capture).err")
        startedAt = ContinuousClock.now
        child = try ChildProcess(
            executable: Self.url.path, arguments: arguments, workingDirectory: directory.path, standardOutput: outputURL.path,
            standardError: errorURL.path)
    }

    // The child, if still running, is sent SIGTERM as it goes (ChildProcess's deinit).
    deinit {
        try? FileManager.default.removeItem(at: outputURL)
        try? FileManager.default.removeItem(at: errorURL)
    }

    /// The exit status, or `nil` while the process runs.
    var exitStatus: Int32? { child.termination?.status }

    var standardOutput: String { (try? String(contentsOf: outputURL, encoding: .utf8)) ?? "" }
    var standardError: String { (try? String(contentsOf: errorURL, encoding: .utf8)) ?? "" }

    /// Sends a signal (`SIGTERM`, `SIGHUP`) to the process; nothing once it has exited.
    func signal(_ signal: Int32) {
        child.send(signal)
    }

    /// Waits for the process to end and returns its exit status.
    @discardableResult
    func waitForExit(timeout: Duration = .seconds(10)) async throws -> Int32 {
        try await poll("the process to exit", timeout: timeout) { exitStatus }
    }

    /// Waits until standard error contains `text` (at least `count` times).
    func waitForError(containing text: String, count: Int = 1, timeout: Duration = .seconds(10)) async throws {
        _ = try await poll("standard error to contain \(text)", timeout: timeout) {
            standardError.components(separatedBy: text).count > count ? true : nil
        }
    }

    /// Waits until standard output contains `text`.
    func waitForOutput(containing text: String, timeout: Duration = .seconds(10)) async throws {
        _ = try await poll("standard output to contain \(text)", timeout: timeout) { standardOutput.contains(text) ? true : nil }
    }

    /// Waits for the banner and returns the port it names (`listening on http://127.0.0.1:PORT`).
    func waitUntilListening(timeout: Duration = .seconds(10)) async throws -> Int {
        try await poll("the banner", timeout: timeout) {
            if exitStatus != nil {
                throw ServeTestFailure("trellis exited before it was ready:\n\(standardOutput)\n\(standardError)")
            }
            guard let range = standardOutput.range(of: "listening on http://127.0.0.1:") else { return nil }
            return Int(standardOutput[range.upperBound...].prefix { $0.isNumber })
        }
    }

    /// Runs `trellis ARGUMENTS` in `directory` to completion.
    static func run(_ arguments: [String], in directory: ServeDirectory) async throws -> (status: Int32, output: String, error: String) {
        let process = try TrellisProcess(arguments, in: directory)
        let status = try await process.waitForExit()
        return (status, process.standardOutput, process.standardError)
    }

    private func poll<Value>(_ what: String, timeout: Duration, _ check: () throws -> Value?) async throws -> Value {
        let started = StallWatch.shared.now
        while true {
            if let value = try check() { return value }
            guard StallWatch.shared.runningTime(since: started) < timeout else {
                throw ServeTestFailure("timed out waiting for \(what); output:\n\(standardOutput)\nerrors:\n\(standardError)")
            }
            try await Task.sleep(for: .milliseconds(5))
        }
    }
}

/// The banner `trellis serve` prints once it is ready: a headline, then `  label: value` lines.
struct Banner {
    let headline: String
    private let values: [String: String]

    init(_ output: String) {
        let lines = output.split(separator: "\n").map(String.init)
        headline = lines.first ?? ""
        var values: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let label = line[..<colon].trimmingCharacters(in: .whitespaces)
            values[label] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        self.values = values
    }

    subscript(label: String) -> String? { values[label] }

    /// A line's items (`systems`, `routes`; `not running` is separated by `; `); none when the line is absent.
    func list(_ label: String, separator: String = ", ") -> [String] {
        guard let value = values[label], !value.isEmpty else { return [] }
        return value.components(separatedBy: separator)
    }
}

/// One system of the boot plan, as `trellis systems --json` prints it.
struct PlanRow: Equatable {
    let id: String
    let enabled: Bool
    let reason: String?

    /// The plan for the configuration in `directory` (its trellis.yaml, or the defaults).
    static func read(in directory: ServeDirectory) async throws -> [PlanRow] {
        let result = try await TrellisProcess.run(["systems", "--json"], in: directory)
        guard result.status == 0 else { throw ServeTestFailure("trellis systems failed: \(result.error)") }
        return try (JSONValue(parsing: Array(result.output.utf8))["systems"]?.arrayValue ?? []).map { row in
            PlanRow(id: row["id"]?.stringValue ?? "", enabled: row["enabled"]?.boolValue ?? false, reason: row["reason"]?.stringValue)
        }
    }
}

/// A port held open for the duration of `body`, so nothing else can listen on it.
func withOccupiedPort<Result>(_ body: (Int) async throws -> Result) async throws -> Result {
    let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
    let port = channel.localAddress?.port ?? 0
    do {
        let result = try await body(port)
        try await channel.close()
        return result
    } catch {
        try? await channel.close()
        throw error
    }
}

/// A flag one task raises and others read, shared by reference.
final class ServeFlag: Sendable {
    private let raised = Mutex(false)

    var isRaised: Bool { raised.withLock { $0 } }

    func raise() { raised.withLock { $0 = true } }
}

/// A count tasks add to and others wait on.
final class ServeCounter: Sendable {
    private let count = Mutex(0)

    var value: Int { count.withLock { $0 } }

    func increment() { count.withLock { $0 += 1 } }

    /// Waits until the count reaches `target`.
    func wait(until target: Int, timeout: Duration = .seconds(10)) async throws {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while value < target {
            guard ContinuousClock.now < deadline else { throw ServeTestFailure("the count stayed at \(value), short of \(target)") }
            try await Task.sleep(for: .milliseconds(2))
        }
    }
}

struct ServeTestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
