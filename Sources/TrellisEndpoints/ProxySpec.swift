internal import Foundation
internal import Hummingbird

/// What a `proxy` endpoint's config says, checked.
///
/// The rewrite rule: the endpoint's `path` is a prefix. A request for the prefix or anything
/// below it is forwarded to `target`'s origin, at `target`'s path followed by the rest of the
/// request path (all of it when `strip_prefix` is false), with the query string unchanged.
/// With `path: /api` and `target: http://backend:9000/v1`, `GET /api/users/7?full=1` goes to
/// `http://backend:9000/v1/users/7?full=1` (or `…/v1/api/users/7?full=1` without stripping).
struct ProxySpec: Sendable {
    /// `http://backend:9000`: scheme, host and port, as configured.
    let origin: String
    /// The target's path without a trailing `/` (`/v1`), empty for the root.
    let basePath: String
    let stripPrefix: Bool
    /// How long the upstream has to send its response head.
    let timeoutMilliseconds: Int

    static let methods: [HTTPRequest.Method] = [.get, .head, .post, .put, .patch, .delete, .options]

    /// Reads a target URL.
    /// - Throws: a message saying what is wrong with it.
    static func parseTarget(_ text: String) throws(InvalidSetting) -> (origin: String, basePath: String) {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
            throw InvalidSetting("the target must be an absolute http:// or https:// URL")
        }
        guard let host = url.host, !host.isEmpty else { throw InvalidSetting("the target has no host") }
        guard url.query == nil, url.fragment == nil else {
            throw InvalidSetting("the target cannot have a query or fragment; the request's query string is forwarded as it is")
        }
        guard url.user == nil, url.password == nil else { throw InvalidSetting("the target cannot hold credentials") }
        let afterScheme = text[text.range(of: "://")!.upperBound...]
        let pathStart = afterScheme.firstIndex(of: "/") ?? afterScheme.endIndex
        var basePath = String(afterScheme[pathStart...])
        while basePath.hasSuffix("/") { basePath.removeLast() }
        return (String(text[..<pathStart]), basePath)
    }

    /// The upstream URL for a request path matched by a prefix of `prefixSegments` segments.
    func upstreamURL(path: String, query: String?, prefixSegments: Int) -> String {
        var forwarded = path
        if stripPrefix {
            // Components after the leading '/', empty ones kept so '/api/x/' keeps its trailing slash.
            let components = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
            let rest = components.dropFirst(prefixSegments)
            forwarded = rest.isEmpty ? "" : "/" + rest.joined(separator: "/")
        }
        var url = origin + basePath + forwarded
        if basePath.isEmpty, forwarded.isEmpty { url += "/" }
        if let query { url += "?" + query }
        return url
    }
}
