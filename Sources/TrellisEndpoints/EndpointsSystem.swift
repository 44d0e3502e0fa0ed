internal import Hummingbird
internal import Synchronization
public import TrellisCore
internal import TrellisHTTPCapability
public import TrellisJSON
internal import TrellisStorageCapability

/// The `endpoints` system: serves the API declared under `endpoints:` in trellis.yaml —
/// mock responses, CRUD over document collections, and proxies to other servers.
///
/// ```yaml
/// endpoints:
///   - path: /hello/{name}
///     mode: mock
///     body: { message: "Hello {{params.name}}" }
///   - path: /todos
///     mode: database
///     collection: todos
///     schema: { type: object, required: [title], properties: { title: { type: string } } }
///     indexes: [status]
///   - path: /api
///     mode: proxy
///     target: http://127.0.0.1:9000/v1
/// ```
///
/// Config (`{"endpoints": [endpoint, …]}`); every endpoint has:
/// - `path` (string, required): starts with `/`; `{name}` segments are path parameters
///   (letters, digits, `_`). For `database`, the collection path (`/todos`, no parameters);
///   for `proxy`, a prefix.
/// - `mode` (required): `mock`, `database`, `proxy`, or `flow` (reserved: rejected with
///   `mode 'flow' requires the flows system` until the flows system exists).
/// - `methods` (list of `GET HEAD POST PUT PATCH DELETE OPTIONS`): default `[GET]` for
///   `mock`, `[GET, POST, PUT, PATCH, DELETE]` (all it serves) for `database`, all seven for `proxy`.
///
/// `mock` settings:
/// - `status` (100–599, default 200).
/// - `headers` (map of name to value): response headers; values are templates.
/// - `body` (any JSON, served as `application/json`; every string in it is a template) or
///   `text` (a template served as `text/plain; charset=utf-8`), not both; neither gives an empty body.
/// - `delay_ms` (0–60000, default 0): wait before answering.
/// Templates are Mustache (swift-mustache), rendered without HTML escaping over
/// `{ params: {path parameters}, query: {first value of each query parameter}, headers: {lower-cased names} }`:
/// `"Hello {{params.name}} from {{headers.user-agent}}"`.
///
/// `database` settings:
/// - `collection` (required, `^[a-z][a-z0-9_]*$`): the document collection; created on first use.
/// - `schema` (a JSON Schema 2020-12): every stored document must pass it (checked when the
///   config is applied; a schema that does not compile rejects the config). It describes the
///   document's own members and may not name `id`, `created_at`, `updated_at` or `version`.
/// - `indexes`: fields stored in indexed columns, which lists filter (`?status=open`) and sort
///   (`?sort=-priority`) by: a name (`status`, at `/status`, stored as text) or
///   `{name, pointer: /customer/id, type: text | integer | real}`.
/// - `max_limit` (1–1000, default 100): the largest `?limit=`; a list without one returns 20 (or `max_limit` if smaller).
/// It serves `GET path` (`{"items": [...], "next_cursor": "…" | null}`), `POST path`,
/// `GET|PUT|PATCH|DELETE path/{id}`; see ``DocumentRepresentation`` for a document's shape.
///
/// `proxy` settings:
/// - `target` (required): the upstream's absolute `http://` or `https://` URL, optionally with a path.
/// - `strip_prefix` (default `true`): forward the request path after the endpoint's path
///   (`/api/users` → `<target>/users`), or, when `false`, the whole path (`<target>/api/users`).
/// - `timeout_ms` (1–600000, default 30000): how long the upstream has to start answering (else 504).
///
/// - Important: the system consumes the document store whether or not a `database` endpoint
///   is configured (capabilities are declared statically), so the server always installs the
///   `database` system with it — it is the default.
public final class EndpointsSystem: System, Reconfigurable, Sendable {
    public static let id = "endpoints"
    /// The owner name of the routes this system sets on the route table.
    static let routeOwner = "endpoints"

    private struct Running {
        var routing: any HTTPRouting
        var proxy: ProxyClient
        var endpointCount = 0
        var routeCount = 0
    }

    private let running = Mutex<Running?>(nil)

    public init() {}

    public var manifest: SystemManifest {
        SystemManifest(
            id: Self.id, version: "1.0.0", summary: "Declarative endpoints: mock responses, document CRUD, proxies",
            requires: ["http"],
            consumes: [AnyCapabilityKey(httpRoutingKey), AnyCapabilityKey(documentStoreKey)],
            configSchema: Self.configSchema,
            defaults: ["endpoints": []],
            // Mock, proxy and document endpoints never block a thread (SQLite reads and writes
            // run on the database's own connections; the proxy client is non-blocking).
            guardPolicy: GuardPolicy(isolation: .cooperative))
    }

    /// Every problem with an `endpoints` config, each with the JSON Pointer of the value at
    /// fault (`/endpoints/2/collection`): the schema's errors and the checks it cannot make
    /// (path syntax, settings of another mode, two endpoints serving one route, templates,
    /// document schemas, proxy targets). Empty when the config can be served. No I/O.
    public static func check(config: JSONValue) -> [ValidationError] {
        analyze(config).issues
    }

    static func analyze(_ config: JSONValue) -> (specs: [EndpointSpec], issues: [ValidationError]) {
        let compiler = EndpointCompiler.compile(config)
        let issues = compiledConfigSchema.validate(config).errors + compiler.issues
        // Grouped by endpoint, in config order; the sort is stable, so each endpoint's issues keep their order.
        let ordered = issues.enumerated().sorted { left, right in
            let (a, b) = (endpointIndex(left.element), endpointIndex(right.element))
            return a != b ? a < b : left.offset < right.offset
        }.map(\.element)
        return (compiler.specs, ordered)
    }

    private static func endpointIndex(_ error: ValidationError) -> Int {
        let tokens = error.instanceLocation.tokens
        guard tokens.count >= 2, tokens[0] == "endpoints", let index = Int(tokens[1]) else { return -1 }
        return index
    }

    public func start(_ context: SystemContext) async throws {
        let routing = try context.capability(httpRoutingKey)
        running.withLock { $0 = Running(routing: routing, proxy: ProxyClient()) }
        try await install(context.config, context: context)
    }

    /// Checks the new config whole, opens its collections, then swaps every route at once:
    /// requests already in flight finish on the old routes. A config with any problem changes nothing.
    public func reconfigure(_ config: JSONValue, context: SystemContext) async throws {
        try await install(config, context: context)
    }

    /// Stops serving the endpoints, gives proxied exchanges in flight up to 5 s, then closes the HTTP client.
    public func stop(_ context: SystemContext) async throws {
        guard
            let current = running.withLock({ state in
                defer { state = nil }
                return state
            })
        else { return }
        current.routing.remove(owner: Self.routeOwner)
        try await current.proxy.shutdown(grace: .seconds(5))
    }

    public func health(_ context: SystemContext) async -> HealthReport {
        guard let current = running.withLock({ $0 }) else { return HealthReport(.down, message: "not started") }
        return HealthReport(
            .up, message: Self.summary(endpoints: current.endpointCount, routes: current.routeCount),
            details: ["endpoints": JSONValue(current.endpointCount), "routes": JSONValue(current.routeCount)])
    }

    /// `serving 1 endpoint (6 routes)`.
    static func summary(endpoints: Int, routes: Int) -> String {
        "serving \(endpoints) endpoint\(endpoints == 1 ? "" : "s") (\(routes) route\(routes == 1 ? "" : "s"))"
    }

    private func install(_ config: JSONValue, context: SystemContext) async throws {
        let (specs, issues) = Self.analyze(config)
        guard issues.isEmpty else { throw EndpointsConfigError(issues: issues) }
        guard let current = running.withLock({ $0 }) else {
            throw EndpointsConfigError(issues: [], message: "the endpoints system is not running")
        }
        var store: (any DocumentStore)?
        var routes: [Route] = []
        for spec in specs {
            switch spec.mode {
            case .mock(let mock):
                routes += spec.methods.map { method in
                    Route(method, spec.path.description) { request, context in try await mock.respond(to: request, context: context) }
                }
            case .database(let collectionSpec):
                let documents = try store ?? context.capability(documentStoreKey)
                store = documents
                let collection = try await documents.collection(collectionSpec.name, indexes: collectionSpec.indexes)
                routes += CollectionEndpoint(path: spec.path, methods: spec.methods, spec: collectionSpec, collection: collection).routes()
            case .proxy(let proxySpec):
                routes += ProxyEndpoint(prefix: spec.path, methods: spec.methods, spec: proxySpec, proxy: current.proxy).routes()
            }
        }
        current.routing.setRootRoutes(routes, owner: Self.routeOwner)
        running.withLock { state in
            state?.endpointCount = specs.count
            state?.routeCount = routes.count
        }
        context.logger.info("\(Self.summary(endpoints: specs.count, routes: routes.count))")
    }
}

/// An `endpoints` config that cannot be served; `issues` lists every problem with its pointer.
public struct EndpointsConfigError: Error, Sendable, CustomStringConvertible {
    public let issues: [ValidationError]
    let message: String?

    init(issues: [ValidationError], message: String? = nil) {
        self.issues = issues
        self.message = message
    }

    public var description: String {
        message ?? "the endpoints config is invalid: " + issues.map(\.description).joined(separator: "; ")
    }
}
