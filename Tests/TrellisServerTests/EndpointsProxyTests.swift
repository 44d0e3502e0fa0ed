import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Testing
import TrellisJSON
import TrellisTesting

@Suite struct EndpointsProxyTests {
    /// An upstream that answers every request with what it received.
    static func echoRouter() -> Router<BasicRequestContext> {
        let router = Router()
        let echo: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
            let body = try await request.body.collect(upTo: 1 << 20)
            var headers: JSONObject = [:]
            for field in request.headers { headers[field.name.canonicalName] = .string(field.value) }
            let received: JSONValue = [
                "method": .string(request.method.rawValue), "path": .string(request.uri.path),
                "query": request.uri.query.map(JSONValue.string) ?? .null, "headers": .object(headers),
                "body": .string(String(buffer: body)),
            ]
            return Response(
                status: .accepted,
                headers: [
                    .contentType: "application/json", HTTPField.Name("X-Upstream")!: "yes", .connection: "X-Hop",
                    HTTPField.Name("X-Hop")!: "1",
                ],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: received.serializedBytes())))
        }
        router.on("/**", method: .get, use: echo)
        router.on("/**", method: .patch, use: echo)
        router.on("/**", method: .post, use: echo)
        return router
    }

    @Test func forwardsMethodPathQueryHeadersAndBody() async throws {
        let upstream = try await EndpointsUpstream.start(Self.echoRouter())
        let endpoints: JSONValue = [
            ["path": "/api", "mode": "proxy", "target": .string("http://127.0.0.1:\(upstream.port)/v1/")],
            ["path": "/whole/{tenant}", "mode": "proxy", "target": .string("http://127.0.0.1:\(upstream.port)"), "strip_prefix": false],
        ]
        do {
            try await EndpointsTestServer.with(endpoints: endpoints) { server in
                let response = try await server.send(
                    .PATCH, "/api/items/7?a=1&b=two%20words",
                    headers: [
                        ("Content-Type", "application/json"), ("X-Custom", "kept"), ("Connection", "X-Secret"), ("X-Secret", "dropped"),
                        ("Keep-Alive", "timeout=5"), ("TE", "trailers"), ("Proxy-Authorization", "Basic eDp5"),
                        ("X-Forwarded-For", "203.0.113.9"),
                    ],
                    body: #"{"n":1}"#)
                #expect(response.status == 202)
                #expect(response.header("X-Upstream") == "yes")
                #expect(response.header("X-Hop") == nil)
                let received = try response.json()
                #expect(received["method"] == "PATCH")
                #expect(received["path"] == "/v1/items/7")
                #expect(received["query"] == "a=1&b=two%20words")
                #expect(received["body"] == #"{"n":1}"#)
                let headers = try #require(received["headers"]?.objectValue)
                #expect(headers["x-custom"] == "kept")
                #expect(headers["content-type"] == "application/json")
                #expect(headers["content-length"] == "7")
                #expect(headers["x-forwarded-proto"] == "http")
                #expect(headers["x-forwarded-host"] == .string("127.0.0.1:\(server.port)"))
                #expect(headers["x-forwarded-for"]?.stringValue?.hasPrefix("203.0.113.9") == true)
                for hopByHop in ["x-secret", "keep-alive", "te", "proxy-authorization"] {
                    #expect(headers[hopByHop] == nil, "\(hopByHop) was forwarded")
                }

                let root = try await server.get("/api")
                #expect(try root.json()["path"] == "/v1")
                let whole = try await server.get("/whole/acme/reports/")
                #expect(try whole.json()["path"] == "/whole/acme/reports/")
                #expect(try whole.json()["query"] == .null)
            }
        } catch {
            try await upstream.stop()
            throw error
        }
        try await upstream.stop()
    }

    @Test func streamsBothWays() async throws {
        let firstChunkArrived = EndpointsGate()
        let sendRest = EndpointsGate()
        let router = Router()
        router.post("/upload") { request, _ -> Response in
            var total = 0
            for try await buffer in request.body {
                total += buffer.readableBytes
                firstChunkArrived.open()
            }
            return Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: "\(total)")))
        }
        router.get("/download") { _, _ -> Response in
            Response(
                status: .ok,
                body: ResponseBody { writer in
                    try await writer.write(ByteBuffer(string: "first;"))
                    try await sendRest.wait()
                    try await writer.write(ByteBuffer(string: "rest"))
                    try await writer.finish(nil)
                })
        }
        let upstream = try await EndpointsUpstream.start(router)
        let endpoints: JSONValue = [["path": "/up", "mode": "proxy", "target": .string("http://127.0.0.1:\(upstream.port)")]]
        do {
            try await EndpointsTestServer.with(endpoints: endpoints) { server in
                // The second chunk is only sent once the upstream has the first: a proxy that
                // buffered the request body would never see it.
                var request = HTTPClientRequest(url: server.baseURL + "/up/upload")
                request.method = .POST
                let chunks = AsyncThrowingStream<ByteBuffer, any Error> { continuation in
                    Task {
                        continuation.yield(ByteBuffer(repeating: 1, count: 1000))
                        do {
                            try await firstChunkArrived.wait()
                            continuation.yield(ByteBuffer(repeating: 2, count: 500))
                            continuation.finish()
                        } catch {
                            continuation.finish(throwing: error)
                        }
                    }
                }
                request.body = .stream(chunks, length: .unknown)
                let uploaded = try await server.client.execute(request, timeout: .seconds(15))
                #expect(String(buffer: try await uploaded.body.collect(upTo: 1000)) == "1500")

                // The first part of the response arrives while the upstream still holds the rest.
                let download = try await server.client.execute(
                    HTTPClientRequest(url: server.baseURL + "/up/download"), timeout: .seconds(15))
                var iterator = download.body.makeAsyncIterator()
                var received = ""
                while !received.hasPrefix("first;"), let chunk = try await iterator.next() { received += String(buffer: chunk) }
                #expect(received == "first;")
                sendRest.open()
                while let chunk = try await iterator.next() { received += String(buffer: chunk) }
                #expect(received == "first;rest")
            }
        } catch {
            sendRest.open()
            try await upstream.stop()
            throw error
        }
        try await upstream.stop()
    }

    @Test func aChunkedBodyOverTheLimitIs413() async throws {
        let upstream = try await EndpointsUpstream.start(Self.echoRouter())
        let endpoints: JSONValue = [["path": "/api", "mode": "proxy", "target": .string("http://127.0.0.1:\(upstream.port)")]]
        do {
            try await EndpointsTestServer.with(endpoints: endpoints, http: ["body_limit": 1000]) { server in
                // No Content-Length, so only the proxy's count can stop it.
                var request = HTTPClientRequest(url: server.baseURL + "/api/upload")
                request.method = .POST
                let chunks = AsyncStream<ByteBuffer> { continuation in
                    for _ in 0..<3 { continuation.yield(ByteBuffer(repeating: 0x61, count: 600)) }
                    continuation.finish()
                }
                request.body = .stream(chunks, length: .unknown)
                let response = try await server.client.execute(request, timeout: .seconds(10))
                let body = try await response.body.collect(upTo: 1 << 16)
                let result = EndpointsTestResponse(
                    status: Int(response.status.code), headers: response.headers, body: Array(body.readableBytesView))
                try result.expectProblem(
                    413, "Content Too Large", detail: "the request body is larger than the limit of 1000 bytes", instance: "/api/upload")
                let small = try await server.send(.POST, "/api/upload", headers: [("Content-Type", "text/plain")], body: "fine")
                #expect(try small.json()["body"] == "fine")
            }
        } catch {
            try await upstream.stop()
            throw error
        }
        try await upstream.stop()
    }

    @Test func aSlowUpstreamIs504() async throws {
        let router = Router()
        router.get("/slow") { _, _ -> String in
            try await Task.sleep(for: .milliseconds(1500))
            return "late"
        }
        let upstream = try await EndpointsUpstream.start(router)
        let target = "http://127.0.0.1:\(upstream.port)"
        let endpoints: JSONValue = [["path": "/svc", "mode": "proxy", "target": .string(target), "timeout_ms": 200]]
        do {
            try await EndpointsTestServer.with(endpoints: endpoints) { server in
                let start = StallWatch.shared.now
                let response = try await server.get("/svc/slow")
                #expect(StallWatch.shared.runningTime(since: start) < .milliseconds(1200))
                try response.expectProblem(
                    504, "Gateway Timeout", detail: "the upstream \(target) did not answer within 200 ms", instance: "/svc/slow")
            }
        } catch {
            try await upstream.stop()
            throw error
        }
        try await upstream.stop()
    }

    @Test func anUnreachableUpstreamIs502() async throws {
        let port = try await endpointsClosedPort()
        let target = "http://127.0.0.1:\(port)/base"
        let endpoints: JSONValue = [["path": "/gone", "mode": "proxy", "target": .string(target)]]
        try await EndpointsTestServer.with(endpoints: endpoints) { server in
            let response = try await server.send(.POST, "/gone/x", headers: [("Content-Type", "text/plain")], body: "hello")
            try response.expectProblem(502, "Bad Gateway", detail: "the upstream \(target) cannot be reached", instance: "/gone/x")
        }
    }
}
