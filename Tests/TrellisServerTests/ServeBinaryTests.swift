import Foundation
import Hummingbird
import Testing
import TrellisJSON
import TrellisTesting

/// `trellis serve` as a user runs it: the real binary, real signals, real exit codes.
@Suite struct ServeBinaryTests {
    @Test func withNoConfigItServesTheWelcomeAndHealthQuickly() async throws {
        let directory = try ServeDirectory()
        let port = try await endpointsClosedPort()
        _ = StallWatch.shared.now
        let process = try TrellisProcess(["serve", "--port", String(port)], in: directory)
        // Process start to the first 200 on /health, polling as a load balancer would.
        let elapsed = try await ServeClient.with(port: port) { client -> Duration in
            while true {
                if let health = try? await client.get("/health"), health.status == 200 {
                    return StallWatch.shared.runningTime(since: process.startedAt)
                }
                guard StallWatch.shared.runningTime(since: process.startedAt) < .seconds(5) else {
                    throw ServeTestFailure("no 200 on /health within 5 s:\n\(process.standardError)")
                }
                try await Task.sleep(for: .milliseconds(2))
            }
        }
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        print("trellis serve: process start to the first 200 on /health: \(Int(milliseconds.rounded())) ms")
        #expect(elapsed < .seconds(5))
        #expect(try await process.waitUntilListening() == port)

        // The banner says where it listens, where the data is, and which systems run: those the plan enables.
        let data = directory.path("trellis-data")
        let banner = Banner(process.standardOutput)
        #expect(banner.headline == "Trellis \"trellis\" (development) listening on http://127.0.0.1:\(port)")
        #expect(banner["data dir"] == data)
        #expect(banner["database"] == "\(data)/trellis.db")
        #expect(banner["config"] == "none (defaults)")
        let plan = try await PlanRow.read(in: directory)
        #expect(banner.list("systems") == plan.filter(\.enabled).map(\.id))
        #expect(banner.list("not running", separator: "; ") == plan.filter { !$0.enabled }.map { "\($0.id) (\($0.reason ?? ""))" })
        #expect(Set(["database", "http", "endpoints", "server"]).isSubset(of: banner.list("systems")))
        #expect(banner.list("routes").contains("GET /") && banner.list("routes").contains("GET /health"))
        #expect(FileManager.default.fileExists(atPath: "\(data)/trellis.db"))

        try await ServeClient.with(port: port) { client in
            let welcome = try await client.get("/")
            #expect(welcome.status == 200)
            #expect(welcome.header("Content-Type") == "application/json")
            // The welcome lists the declared API: not the server's own routes, /metrics or the admin API.
            let routes = banner.list("routes").filter {
                $0 != "GET /" && $0 != "GET /health" && $0 != "GET /metrics" && !$0.contains(" /api/v1/admin/")
            }
            #expect(
                try welcome.json()
                    == [
                        "name": "trellis",
                        "message": "Trellis is running. This is the welcome document; the links say where to go next.",
                        "links": ["health": "/health"], "endpoints": .array(routes.map { .string($0) }),
                    ])
            let health = try await client.get("/health")
            #expect(health.status == 200)
            let reports = try health.json()["systems"]?.arrayValue ?? []
            #expect(try health.json()["status"] == "up")
            #expect(
                reports.filter { ["database", "http", "endpoints", "server"].contains($0["id"]?.stringValue ?? "") } == [
                    ["id": "database", "state": "running", "status": "up", "message": .string("SQLite at \(data)/trellis.db answers")],
                    ["id": "http", "state": "running", "status": "up", "message": .string("listening on 127.0.0.1:\(port)")],
                    ["id": "endpoints", "state": "running", "status": "up", "message": "serving 0 endpoints (0 routes)"],
                    ["id": "server", "state": "running", "status": "up"],
                ])
            let missing = try await client.get("/missing", headers: [("X-Request-Id", "req-42")])
            #expect(missing.header("X-Request-Id") == "req-42")
            try missing.expectProblem(404, "Not Found", detail: "nothing is served at /missing", instance: "/missing")
            let wrongMethod = try await client.send(.DELETE, "/health")
            try wrongMethod.expectProblem(
                405, "Method Not Allowed", detail: "DELETE is not allowed on /health; allowed: GET", instance: "/health")
        }
        process.signal(SIGTERM)
        #expect(try await process.waitForExit() == 0)
    }

    @Test func aTakenPortIsAClearErrorAndExitStatus1() async throws {
        let directory = try ServeDirectory()
        try await withOccupiedPort { port in
            let result = try await TrellisProcess.run(["serve", "--port", String(port), "--data-dir", "data"], in: directory)
            #expect(result.status == 1)
            #expect(result.output == "")
            let lastLines = result.error.split(separator: "\n").suffix(2).map(String.init)
            #expect(lastLines.first == "error: Trellis cannot boot (1 problem):")
            #expect(
                lastLines.last?.hasPrefix(
                    "  - http is critical and failed to start: cannot listen on 127.0.0.1:\(port): the port is already in use; stop the other server or choose another port with --port"
                ) == true, "\(result.error)")
        }
    }

    @Test func aDataDirThatCannotBeCreatedIsAClearErrorAndExitStatus1() async throws {
        let directory = try ServeDirectory()
        try directory.write("taken", "a file where the data dir should be")
        let under = try await TrellisProcess.run(["serve", "--port", "0", "--data-dir", "taken/data"], in: directory)
        #expect(under.status == 1)
        #expect(
            under.error == """
                error: cannot create the data directory \(directory.path("taken/data")): \(directory.path("taken")) is a file, not a directory; choose another with --data-dir

                """)
        let itself = try await TrellisProcess.run(["serve", "--port", "0", "--data-dir", "taken"], in: directory)
        #expect(itself.status == 1)
        #expect(
            itself.error == """
                error: cannot create the data directory \(directory.path("taken")): \(directory.path("taken")) is a file, not a directory; choose another with --data-dir

                """)
    }

    /// Root writes anywhere, so this one needs an ordinary user.
    @Test(.enabled(if: getuid() != 0, "root can write to a read-only directory"))
    func aDataDirWithoutWritePermissionIsAClearErrorAndExitStatus1() async throws {
        let directory = try ServeDirectory()
        let readOnly = directory.path("read-only")
        try FileManager.default.createDirectory(
            atPath: readOnly, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o555])
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: readOnly) }
        let result = try await TrellisProcess.run(["serve", "--port", "0", "--data-dir", "read-only"], in: directory)
        #expect(result.status == 1)
        #expect(
            result.error == """
                error: the data directory \(readOnly) is not writable; fix its permissions or choose another with --data-dir

                """)
    }

    @Test func theAccessLogHasOneStructuredLinePerRequestOnStandardError() async throws {
        let directory = try ServeDirectory()
        let config = try directory.write(
            "trellis.yaml",
            """
            endpoints:
              - { path: /hello, mode: mock, body: { message: hi } }
            """)
        let process = try TrellisProcess(["serve", "--config", config, "--port", "0"], in: directory)
        let port = try await process.waitUntilListening()
        try await ServeClient.with(port: port) { client in
            let hello = try await client.get("/hello", headers: [("X-Request-Id", "access-1")])
            let nowhere = try await client.get("/nowhere", headers: [("X-Request-Id", "access-2")])
            #expect(hello.status == 200 && nowhere.status == 404)
        }
        try await process.waitForError(containing: "[TrellisHTTP] GET /nowhere 404")
        let lines = process.standardError.split(separator: "\n").filter { $0.contains("[TrellisHTTP] GET /") }
        #expect(lines.count == 2, "\(lines)")
        for (line, (id, path, status)) in zip(lines, [("access-1", "/hello", 200), ("access-2", "/nowhere", 404)]) {
            // `<local time> info trellis: duration_ms=0.123 … method=GET path=… request_id=… status=… system=http [TrellisHTTP] GET … …`
            #expect(line.contains(" info trellis: duration_ms="), "\(line)")
            #expect(line.contains(" method=GET path=\(path) request_id=\(id) status=\(status) system=http "), "\(line)")
            #expect(line.hasSuffix("[TrellisHTTP] GET \(path) \(status)"), "\(line)")
            let duration = line.split(separator: " ").first { $0.hasPrefix("duration_ms=") }?.dropFirst("duration_ms=".count)
            let parts = duration?.split(separator: ".") ?? []
            #expect(parts.count == 2 && parts[1].count == 3 && parts.allSatisfy { $0.allSatisfy(\.isNumber) }, "\(line)")
        }
        process.signal(SIGTERM)
        #expect(try await process.waitForExit() == 0)
    }

    @Test func sigtermLetsAnInFlightRequestFinish() async throws {
        let directory = try ServeDirectory()
        let config = try directory.write(
            "trellis.yaml",
            """
            systems:
              admin: { config: { metrics_public: true } }
            endpoints:
              - path: /slow
                mode: mock
                delay_ms: 2500
                body: { finished: true }
            """)
        let process = try TrellisProcess(["serve", "--config", config, "--port", "0"], in: directory)
        let port = try await process.waitUntilListening()
        try await ServeClient.with(port: port) { client in
            let slow = Task { try await client.get("/slow") }
            // SIGTERM once the slow request is in the `endpoints` system's route (its guarded
            // call is in flight), not after a guessed delay, which a loaded machine can outlast.
            try await ServeClient.with(port: port) { observer in
                let deadline = ContinuousClock.now + .seconds(10)
                while true {
                    let metrics = try PrometheusText(try await observer.get("/metrics").text)
                    if metrics.value("trellis_system_calls_in_flight", ["system": "endpoints"]) == 1 { break }
                    guard ContinuousClock.now < deadline else { throw ServeTestFailure("the slow request never reached its route") }
                    try await Task.sleep(for: .milliseconds(20))
                }
            }
            process.signal(SIGTERM)
            // The listener closes at once: a new connection is refused while the slow one finishes.
            try await Task.sleep(for: .milliseconds(400))
            await #expect(throws: (any Error).self) { try await client.get("/health") }
            let response = try await slow.value
            #expect(response.status == 200)
            #expect(response.text == #"{"finished":true}"#)
        }
        #expect(try await process.waitForExit() == 0)
    }

    /// The same with a request known to be in flight: a proxied one, held by an upstream until
    /// the test lets it answer, after SIGTERM.
    @Test func sigtermWaitsForAProxiedRequestHeldUpstream() async throws {
        let arrived = EndpointsGate()
        let release = EndpointsGate()
        let router = Router()
        router.get("/hold") { _, _ -> String in
            arrived.open()
            try await release.wait()
            return "released"
        }
        let upstream = try await EndpointsUpstream.start(router)
        let directory = try ServeDirectory()
        let config = try directory.write(
            "trellis.yaml",
            """
            endpoints:
              - { path: /held, mode: proxy, target: "http://127.0.0.1:\(upstream.port)/hold" }
            """)
        let process = try TrellisProcess(["serve", "--config", config, "--port", "0"], in: directory)
        let port = try await process.waitUntilListening()
        try await ServeClient.with(port: port) { client in
            let held = Task { try await client.get("/held") }
            try await arrived.wait()
            process.signal(SIGTERM)
            try await Task.sleep(for: .milliseconds(300))
            #expect(process.exitStatus == nil, "trellis exited with a request in flight")
            release.open()
            let response = try await held.value
            #expect(response.status == 200)
            #expect(response.text == "released")
        }
        #expect(try await process.waitForExit() == 0)
        try await upstream.stop()
    }

    @Test func writtenDataSurvivesSigtermAndARestart() async throws {
        let directory = try ServeDirectory()
        let arguments = ["serve", "--config", Examples.configPath("todo"), "--port", "0", "--data-dir", "todo-data"]
        let first = try TrellisProcess(arguments, in: directory)
        let created = try await ServeClient.with(port: try await first.waitUntilListening()) { client in
            let response = try await client.send(.POST, "/todos", json: #"{"id":"milk","title":"Buy milk"}"#)
            #expect(response.status == 201)
            return try response.json()
        }
        first.signal(SIGTERM)
        #expect(try await first.waitForExit() == 0)

        let second = try TrellisProcess(arguments, in: directory)
        try await ServeClient.with(port: try await second.waitUntilListening()) { client in
            let read = try await client.get("/todos/milk")
            #expect(read.status == 200)
            #expect(try read.json() == created)
            #expect(try read.json()["version"] == 1)
        }
        second.signal(SIGTERM)
        #expect(try await second.waitForExit() == 0)
    }

    @Test func withHTTPDisabledTheBannerSaysNothingListens() async throws {
        let directory = try ServeDirectory()
        try directory.write("trellis.yaml", "systems:\n  http:\n    enabled: false\n")
        let process = try TrellisProcess(["serve", "--data-dir", "data"], in: directory)
        try await process.waitForOutput(containing: "  routes:")
        let banner = Banner(process.standardOutput)
        #expect(banner.headline == "Trellis \"trellis\" (development) not listening: the http system is not running")
        #expect(banner["config"] == "trellis.yaml")
        let plan = try await PlanRow.read(in: directory)
        #expect(banner.list("systems") == plan.filter(\.enabled).map(\.id))
        #expect(banner.list("not running", separator: "; ") == plan.filter { !$0.enabled }.map { "\($0.id) (\($0.reason ?? ""))" })
        #expect(
            Set(banner.list("not running", separator: "; ")).isSuperset(of: [
                "http (disabled in trellis.yaml:3)", "endpoints (it requires http, which is disabled in trellis.yaml:3)",
                "server (it requires http, which is disabled in trellis.yaml:3)",
            ]))
        #expect(banner.list("routes") == [])
        process.signal(SIGTERM)
        #expect(try await process.waitForExit() == 0)
    }
}
