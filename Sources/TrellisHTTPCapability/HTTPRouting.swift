public import HTTPTypes
public import Hummingbird
public import Logging
public import TrellisCore

/// The capability key of the route table the `http` system provides.
public let httpRoutingKey = CapabilityKey<any HTTPRouting>("http.routes")

/// Handles one request on a route.
public typealias RouteHandler = @Sendable (Request, TrellisRequestContext) async throws -> Response

/// One route: a method, a path pattern (`/items/{id}`) and its handler.
public struct Route: Sendable {
    public let method: HTTPRequest.Method
    /// The path, with parameters as `{name}`.
    public let path: String
    public let handler: RouteHandler

    public init(_ method: HTTPRequest.Method, _ path: String, handler: @escaping RouteHandler) {
        self.method = method
        self.path = path
        self.handler = handler
    }
}

/// Where systems put their HTTP routes and request hooks.
///
/// Route sets are replaced whole and take effect for the next request; a request already
/// being handled finishes on the routes it started with.
public protocol HTTPRouting: Sendable {
    /// Serves `routes` under `/api/v1/<system>/`, replacing the routes the system set before.
    func setRoutes(_ routes: [Route], system: String)

    /// Serves `routes` at the paths they name (declarative endpoints), replacing what `owner` set before.
    func setRootRoutes(_ routes: [Route], owner: String)

    /// Runs a system's hooks around every request, in the order systems added them (plan order).
    func addHooks(_ hooks: any RequestHooks, system: String)

    /// Runs a system's synchronous hooks around every request, in the order systems added
    /// hooks of either kind (plan order).
    func addHooks(_ hooks: any SynchronousRequestHooks, system: String)

    /// Removes everything a system or owner added.
    func remove(owner: String)

    /// Every route currently served, as `METHOD /path`, for welcome pages and docs.
    var routeList: [String] { get }
}

/// Code a system runs around every request.
public protocol RequestHooks: Sendable {
    /// Runs before the route; returning a response answers the request without the route.
    nonisolated(nonsending) func beforeRequest(_ request: Request, context: TrellisRequestContext) async throws -> Response?
    /// Runs after the route (or an earlier hook) produced `response`; returns the response to
    /// send. The hook owns `response`: it returns it, changed or not, or another one.
    nonisolated(nonsending) func afterResponse(_ response: consuming Response, request: Request, context: TrellisRequestContext)
        async throws -> Response
}

extension RequestHooks {
    nonisolated(nonsending) public func beforeRequest(_ request: Request, context: TrellisRequestContext) async throws -> Response? { nil }
    nonisolated(nonsending) public func afterResponse(_ response: consuming Response, request: Request, context: TrellisRequestContext)
        async throws -> Response
    {
        response
    }
}

/// Code a system runs around every request that never waits for anything: no `await`, no
/// I/O. Such hooks (a header added, a key checked against a table in memory, a request
/// counted) are called directly under the system's guard, at about a third of the cost of an
/// async hook (docs/PERFORMANCE.md, "Guards"). Use ``RequestHooks`` for a hook that must
/// await something.
///
/// The guard treats them as it treats any hook: a bulkhead slot, the breaker, the time limit
/// and the statistics. A synchronous hook cannot be interrupted, so one that runs past the
/// system's `timeout_ms` counts as a timeout when it returns (its result is dropped and the
/// request goes on without it), and the system's hooks then run on its own threads.
public protocol SynchronousRequestHooks: Sendable {
    /// Runs before the route; returning a response answers the request without the route.
    func beforeRequest(_ request: Request, context: TrellisRequestContext) throws -> Response?
    /// Runs after the route (or an earlier hook) produced `response`; returns the response to
    /// send instead, or `nil` to send `response` as it is (which copies nothing). A hook that
    /// throws leaves the response as it was.
    func afterResponse(_ response: borrowing Response, request: Request, context: TrellisRequestContext) throws -> Response?
}

extension SynchronousRequestHooks {
    public func beforeRequest(_ request: Request, context: TrellisRequestContext) throws -> Response? { nil }
    public func afterResponse(_ response: borrowing Response, request: Request, context: TrellisRequestContext) throws -> Response? {
        nil
    }
}

/// The request context of every Trellis route.
public struct TrellisRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The request id: the client's `X-Request-Id` when well-formed, a new one otherwise.
    public var requestID: String
    /// The largest body a route may read, from `server.body_limit`.
    public var maxUploadSize: Int
    /// The request's guarded run, in which a cooperative system's route makes its guarded call.
    package var guardedCalls: (any GuardedRouteCalls)?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.requestID = ""
        self.maxUploadSize = 1 << 20
        self.guardedCalls = nil
    }
}

/// The request's ``GuardedRun`` as a route sees it (the router between them does not know the
/// run's types): where a cooperative system's route makes its guarded call.
///
/// Not generic over the route's result, so that the call through the existential is the run's
/// specialized code, not a generic one that looks up type metadata at run time.
package protocol GuardedRouteCalls: Sendable {
    func call(_ site: GuardSite, _ operation: () async throws -> Response) async throws -> Response
}

/// The request id of the request being handled, for log lines.
///
/// The http system binds it for the whole of each request (hooks and route included), and
/// ``metadataProvider`` adds it as `request_id` to every line logged meanwhile, by any logger
/// whose handler was given the provider (`trellis serve` bootstraps swift-log with it). That
/// costs a task-local binding per request instead of a copy of the request's logger.
public enum RequestLogging {
    @TaskLocal public static var requestID: String?

    /// `request_id` while a request is handled; nothing otherwise.
    public static let metadataProvider = Logger.MetadataProvider {
        guard let requestID else { return [:] }
        return ["request_id": .string(requestID)]
    }
}
