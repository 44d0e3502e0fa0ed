internal import Hummingbird

/// One endpoint of the config, checked and compiled: everything but the resources (the
/// collection, the HTTP client) that installing it opens.
struct EndpointSpec: Sendable {
    enum Mode: Sendable {
        case mock(MockEndpoint)
        case database(CollectionSpec)
        case proxy(ProxySpec)
    }

    /// Its position in the config's `endpoints` list.
    let index: Int
    let path: PathPattern
    let methods: [HTTPRequest.Method]
    let mode: Mode

    /// Every route the endpoint serves: its `shape` (`GET /items/{}`, parameter names erased,
    /// so two endpoints with one shape collide) and how it reads (`GET /items/{id}`).
    static func routeShapes(path: PathPattern, methods: [HTTPRequest.Method], mode: String) -> [(shape: String, display: String)] {
        let routes: [(method: HTTPRequest.Method, path: String, shape: String)]
        switch mode {
        case "database":
            routes = CollectionSpec.routes(path: path, methods: methods).map { ($0.method, $0.path.description, $0.path.shape) }
        case "proxy":
            let below = path.segments.isEmpty ? "" : path.description
            let belowShape = path.segments.isEmpty ? "" : path.shape
            routes = methods.flatMap { [($0, path.description, path.shape), ($0, below + "/**", belowShape + "/**")] }
        default:
            routes = methods.map { ($0, path.description, path.shape) }
        }
        return routes.map { ("\($0.method.rawValue) \($0.shape)", "\($0.method.rawValue) \($0.path)") }
    }
}
