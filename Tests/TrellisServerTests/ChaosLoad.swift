import AsyncHTTPClient
import Foundation
import NIOCore

/// What a burst of concurrent requests got back.
struct ChaosLoadReport: Sendable {
    var sent = 0
    /// Requests answered as expected.
    var answered = 0
    /// Why the others were not: a transport error, or an answer other than the expected one.
    var problems: [String] = []
    var latencies: [Duration] = []

    mutating func merge(_ other: ChaosLoadReport) {
        sent += other.sent
        answered += other.answered
        problems += other.problems
        latencies += other.latencies
    }

    /// The latency under which `percent` % of the requests were answered.
    func percentile(_ percent: Double) -> Duration {
        guard !latencies.isEmpty else { return .zero }
        let sorted = latencies.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * percent / 100).rounded(.up)) - 1)]
    }

    var figure: String { "\(answered)/\(sent) answered" }
}

/// Concurrent clients for the fault rehearsal, over one connection pool wide enough that no
/// request waits for a connection (AsyncHTTPClient keeps 8 per host by default).
final class ChaosLoad: Sendable {
    let baseURL: String
    private let client: HTTPClient

    init(port: Int) {
        baseURL = "http://127.0.0.1:\(port)"
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
        client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    func shutdown() async throws {
        try await client.shutdown()
    }

    /// One GET, read whole.
    func get(_ path: String) async throws -> EndpointsTestResponse {
        let response = try await client.execute(HTTPClientRequest(url: baseURL + path), timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        return EndpointsTestResponse(status: Int(response.status.code), headers: response.headers, body: Array(bytes.readableBytesView))
    }

    /// `clients` loops sending `GET path` back to back for `duration`. `check` returns `nil` for
    /// an answer as expected, or what is wrong with it.
    func run(
        _ path: String, clients: Int, for duration: Duration, pause: Duration = .zero,
        check: @escaping @Sendable (EndpointsTestResponse) -> String?
    ) async -> ChaosLoadReport {
        let end = ContinuousClock.now + duration
        return await withTaskGroup(of: ChaosLoadReport.self) { group in
            for _ in 0..<clients {
                group.addTask {
                    var report = ChaosLoadReport()
                    while ContinuousClock.now < end {
                        report.sent += 1
                        let started = ContinuousClock.now
                        do {
                            let response = try await self.get(path)
                            report.latencies.append(ContinuousClock.now - started)
                            if let problem = check(response) {
                                report.problems.append("\(path): \(problem)")
                            } else {
                                report.answered += 1
                            }
                        } catch {
                            report.problems.append("\(path): \(error)")
                        }
                        if pause > .zero { try? await Task.sleep(for: pause) }
                    }
                    return report
                }
            }
            var total = ChaosLoadReport()
            for await report in group { total.merge(report) }
            return total
        }
    }
}

extension Duration {
    var inMilliseconds: Double { Double(components.seconds) * 1_000 + Double(components.attoseconds) / 1e15 }
}
