internal import AsyncHTTPClient
internal import HTTPTypes
internal import Hummingbird
internal import Logging
internal import NIOCore
internal import NIOHTTP1
internal import TrellisHTTPCapability

/// A `proxy` endpoint: forwards every request under its path prefix to an upstream server,
/// streaming the request body up and the response body back (see ``ProxySpec`` for the rewrite).
///
/// `timeout_ms` bounds the time until the upstream's response head arrives (504 when it
/// passes); a body that then streams for longer is not cut. An upstream that cannot be reached
/// (connection refused, unknown host, TLS failure, connection closed early) gives a 502.
struct ProxyEndpoint: Sendable {
    let prefix: PathPattern
    let methods: [HTTPRequest.Method]
    let spec: ProxySpec
    let proxy: ProxyClient

    /// The prefix itself and, through Hummingbird's recursive wildcard, everything below it.
    func routes() -> [Route] {
        let endpoint = self
        let handler: RouteHandler = { request, context in try await endpoint.forward(request, context: context) }
        let below = prefix.description == "/" ? "/**" : prefix.description + "/**"
        return methods.flatMap { method in
            [Route(method, prefix.description, handler: handler), Route(method, below, handler: handler)]
        }
    }

    func forward(_ request: Request, context: TrellisRequestContext) async throws -> Response {
        let url = spec.upstreamURL(path: request.uri.path, query: request.uri.query, prefixSegments: prefix.segments.count)
        var upstream = HTTPClientRequest(url: url)
        upstream.method = HTTPMethod(rawValue: request.method.rawValue)
        let clientAddress = (context as? any RemoteAddressRequestContext)?.remoteAddress?.ipAddress
        upstream.headers = ProxyHeaders.upstreamRequestHeaders(request, clientAddress: clientAddress)
        if let length = request.headers[.contentLength].flatMap(Int64.init), length == 0 {
            upstream.body = nil
        } else if request.headers[.contentLength] != nil || request.headers[.transferEncoding] != nil {
            let limit = context.maxUploadSize
            let body = LimitedBody(base: request.body, limit: limit) {
                Problem(.contentTooLarge, detail: "the request body is larger than the limit of \(limit) bytes")
            }
            let length = request.headers[.contentLength].flatMap(Int64.init)
            upstream.body = .stream(body, length: length.map { .known($0) } ?? .unknown)
        }

        proxy.begin()
        let response: HTTPClientResponse
        do {
            response = try await proxy.client.execute(upstream, timeout: .milliseconds(Int64(spec.timeoutMilliseconds)))
        } catch {
            proxy.end()
            throw problem(for: error, context: context)
        }
        var contentLength: Int?
        if let text = response.headers.first(name: "Content-Length") { contentLength = Int(text) }
        let body = response.body
        let proxy = self.proxy
        let responseBody = ResponseBody(contentLength: contentLength) { writer in
            defer { proxy.end() }
            try await writer.write(body)
            try await writer.finish(nil)
        }
        return Response(
            status: HTTPResponse.Status(code: Int(response.status.code), reasonPhrase: response.status.reasonPhrase),
            headers: ProxyHeaders.clientResponseHeaders(response.headers), body: responseBody)
    }

    /// What the client hears when the upstream did not answer.
    private func problem(for error: any Error, context: TrellisRequestContext) -> any Error {
        if error is Problem { return error }
        let upstream = spec.origin + spec.basePath
        if let error = error as? HTTPClientError,
            error == .deadlineExceeded || error == .connectTimeout || error == .readTimeout
        {
            return Problem(
                .gatewayTimeout, detail: "the upstream \(upstream) did not answer within \(spec.timeoutMilliseconds) ms")
        }
        context.logger.warning("proxy to \(upstream) failed: \(error)")
        return Problem(.badGateway, detail: "the upstream \(upstream) cannot be reached")
    }
}
