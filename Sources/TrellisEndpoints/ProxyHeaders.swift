internal import Foundation
internal import HTTPTypes
internal import Hummingbird
internal import NIOHTTP1

/// Which headers a proxy passes on, in each direction.
enum ProxyHeaders {
    /// Hop-by-hop headers (RFC 9110 §7.6.1, plus the non-standard `Proxy-Connection`): they
    /// describe one connection, so a proxy never forwards them. `Content-Length` is also
    /// dropped: the client library sets it from the body it sends.
    static let hopByHop: Set<String> = [
        "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection", "te", "trailer",
        "transfer-encoding", "upgrade",
    ]

    /// The fields to forward: everything but hop-by-hop fields, those named in `Connection`,
    /// and the ones listed in `alsoDropping` (lower-case names).
    static func forwardable(_ fields: HTTPFields, alsoDropping extra: Set<String> = []) -> HTTPFields {
        var dropped = hopByHop.union(extra)
        for value in fields[values: .connection] {
            for token in value.split(separator: ",") {
                dropped.insert(token.trimmingCharacters(in: .whitespaces).lowercased())
            }
        }
        return HTTPFields(fields.filter { !dropped.contains($0.name.canonicalName) })
    }

    /// The request headers for the upstream: forwardable fields, without `Content-Length` and
    /// `Host` (set from the body and the target), plus `X-Forwarded-For` (the chain so far, then
    /// the client's address when known), `X-Forwarded-Proto` and `X-Forwarded-Host`.
    static func upstreamRequestHeaders(_ request: Request, clientAddress: String?) -> HTTPHeaders {
        var headers = HTTPHeaders()
        let forwardedNames: Set<String> = ["content-length", "host", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host"]
        for field in forwardable(request.headers, alsoDropping: forwardedNames) {
            headers.add(name: field.name.rawName, value: field.value)
        }
        var chain = request.headers[values: .xForwardedFor]
        if let clientAddress { chain.append(clientAddress) }
        if !chain.isEmpty { headers.add(name: "X-Forwarded-For", value: chain.joined(separator: ", ")) }
        headers.add(name: "X-Forwarded-Proto", value: "http")
        if let host = request.head.authority { headers.add(name: "X-Forwarded-Host", value: host) }
        return headers
    }

    /// The response headers for the client: the upstream's, without hop-by-hop fields.
    static func clientResponseHeaders(_ upstream: HTTPHeaders) -> HTTPFields {
        var fields = HTTPFields()
        for (name, value) in upstream {
            // NIO's parser only yields valid names; a name HTTPTypes rejects is not worth failing the response for.
            if let name = HTTPField.Name(name) { fields.append(HTTPField(name: name, value: value)) }
        }
        return forwardable(fields)
    }
}

extension HTTPField.Name {
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
}
