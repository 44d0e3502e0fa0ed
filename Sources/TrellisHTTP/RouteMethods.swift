internal import HTTPTypes

/// The methods served at each route pattern, as a tree of path segments: tells a 404 from a
/// 405 (and fills `Allow`) before any system runs, in one walk of the request path that
/// allocates nothing when the path matches.
///
/// `{name}` segments match any one segment; a final `**` (Hummingbird's recursive wildcard,
/// which proxies mount below their prefix) matches one or more further segments. Where several
/// patterns match a path, their methods are listed in the order the patterns were added.
struct RouteMethods: Sendable {
    private struct Node: Sendable {
        var literals: [Substring: Int] = [:]
        var parameter: Int?
        /// Methods of the pattern that ends here, with the pattern's position.
        var methods: [(order: Int, method: HTTPRequest.Method)] = []
        /// Methods of the `…/**` pattern whose prefix ends here.
        var recursive: [(order: Int, method: HTTPRequest.Method)] = []
    }

    private var nodes = [Node()]
    private var count = 0

    init() {}

    /// Adds a pattern (`/items/{id}`, `/proxy/**`) served with `methods`.
    mutating func add(_ pattern: String, methods: [HTTPRequest.Method]) {
        let order = count
        count += 1
        var node = 0
        let segments = pattern.split(separator: "/")
        for (index, segment) in segments.enumerated() {
            if segment == "**", index == segments.count - 1 {
                nodes[node].recursive += methods.map { (order, $0) }
                return
            }
            let isParameter = segment.hasPrefix("{") && segment.hasSuffix("}")
            if let next = isParameter ? nodes[node].parameter : nodes[node].literals[segment] {
                node = next
                continue
            }
            nodes.append(Node())
            if isParameter { nodes[node].parameter = nodes.count - 1 } else { nodes[node].literals[segment] = nodes.count - 1 }
            node = nodes.count - 1
        }
        nodes[node].methods += methods.map { (order, $0) }
    }

    /// Whether some pattern matching `path` is served with `method` (`HEAD` where `GET` is).
    func allows(_ method: HTTPRequest.Method, at path: String) -> Bool {
        var found = false
        visit(0, path[...]) { entries in
            if entries.contains(where: { $0.method == method || (method == .head && $0.method == .get) }) { found = true }
        }
        return found
    }

    /// The methods served at `path` by some pattern, for the `Allow` header of a 405; empty
    /// when nothing is served there (a 404).
    func methods(at path: String) -> [HTTPRequest.Method] {
        var entries: [(order: Int, method: HTTPRequest.Method)] = []
        visit(0, path[...]) { entries += $0 }
        var methods: [HTTPRequest.Method] = []
        for entry in entries.sorted(by: { $0.order < $1.order }) where !methods.contains(entry.method) {
            methods.append(entry.method)
        }
        return methods
    }

    /// Calls `body` with the methods of every pattern that matches `rest` below `node`.
    private func visit(_ node: Int, _ rest: Substring, _ body: ([(order: Int, method: HTTPRequest.Method)]) -> Void) {
        let slash = UInt8(ascii: "/")
        let utf8 = rest.utf8
        guard let start = utf8.firstIndex(where: { $0 != slash }) else {
            if !nodes[node].methods.isEmpty { body(nodes[node].methods) }
            return
        }
        if !nodes[node].recursive.isEmpty { body(nodes[node].recursive) }
        let end = utf8[start...].firstIndex(of: slash) ?? utf8.endIndex
        let segment = rest[start..<end]
        let remainder = rest[end...]
        if let next = nodes[node].literals[segment] { visit(next, remainder, body) }
        if let next = nodes[node].parameter { visit(next, remainder, body) }
    }
}
