internal import HTTPTypes
internal import Hummingbird
internal import Synchronization
internal import TrellisCore
internal import TrellisHTTPCapability

/// Every route and hook systems registered, and the Hummingbird router built from them.
///
/// Changes rebuild the router and swap it in whole; a request takes the snapshot current
/// when it arrives and keeps it, so in-flight requests finish on the routes they started with.
final class RouteTable: HTTPRouting, Sendable {
    struct Snapshot: Sendable {
        let responder: RouterResponder<TrellisRequestContext>
        /// Route patterns with their methods, to tell a 405 from a 404.
        let methods: RouteMethods
        let hooks: [SystemHooks]
        let routeList: [String]
    }

    /// One system's request hooks with the guard sites they are called through (`nil` when
    /// the table has no guards: tests of the table alone).
    final class SystemHooks: Sendable {
        enum Hooks: Sendable {
            case async(any RequestHooks)
            case synchronous(any SynchronousRequestHooks)
        }

        let system: String
        let hooks: Hooks
        let beforeRequest: GuardSite?
        let afterResponse: GuardSite?

        /// Whether `hooks` is `.synchronous`, and those hooks again (an empty stand-in when
        /// not): a `let` of their own, so the synchronous path below calls them in place,
        /// without copying the existential out of the enum first.
        private let isSynchronous: Bool
        private let synchronous: any SynchronousRequestHooks
        /// The sites, unmanaged: the synchronous path uses them without writing their reference
        /// counts, which every core shares. The strong references above keep them alive.
        private let unmanagedBeforeRequest: Unmanaged<GuardSite>?
        private let unmanagedAfterResponse: Unmanaged<GuardSite>?

        init(system: String, hooks: Hooks, beforeRequest: GuardSite?, afterResponse: GuardSite?) {
            self.system = system
            self.hooks = hooks
            self.beforeRequest = beforeRequest
            self.afterResponse = afterResponse
            if case .synchronous(let hooks) = hooks {
                isSynchronous = true
                synchronous = hooks
            } else {
                isSynchronous = false
                synchronous = NoSynchronousHooks()
            }
            unmanagedBeforeRequest = beforeRequest.map { Unmanaged.passUnretained($0) }
            unmanagedAfterResponse = afterResponse.map { Unmanaged.passUnretained($0) }
        }

        private struct NoSynchronousHooks: SynchronousRequestHooks {}

        /// Calls a synchronous `beforeRequest` on this thread under its guard and returns how
        /// it went; `nil` when the call cannot be made so: the hooks are async, or the system's
        /// calls run on its own threads. `clock`: see ``GuardSite/callSynchronously(clock:_:)``.
        ///
        /// Not inlined: in a function of its own, `self` is guaranteed alive for the call, so
        /// its fields are used in place.
        @inline(never)
        func beforeRequestInline(_ request: Request, context: TrellisRequestContext, clock: inout GuardClockReading)
            -> Result<Response?, any Error>?
        {
            guard isSynchronous, let unmanagedBeforeRequest else { return nil }
            return unmanagedBeforeRequest._withUnsafeGuaranteedRef { site in
                guard site.runsCooperatively else { return nil }
                return Result { try site.callSynchronously(clock: &clock) { try synchronous.beforeRequest(request, context: context) } }
            }
        }

        /// ``beforeRequestInline(_:context:clock:)`` for `afterResponse`: `.success(nil)` keeps `response`.
        @inline(never)
        func afterResponseInline(
            _ response: borrowing Response, request: Request, context: TrellisRequestContext, clock: inout GuardClockReading
        ) -> Result<Response?, any Error>? {
            guard isSynchronous, let unmanagedAfterResponse else { return nil }
            return unmanagedAfterResponse._withUnsafeGuaranteedRef { site in
                guard site.runsCooperatively else { return nil }
                return Result {
                    try site.callSynchronously(clock: &clock) {
                        try synchronous.afterResponse(response, request: request, context: context)
                    }
                }
            }
        }
    }

    private struct State {
        var systemRoutes: [(owner: String, routes: [Route])] = []
        var rootRoutes: [(owner: String, routes: [Route])] = []
        var hooks: [SystemHooks] = []
        var builtIn: [Route] = []
    }

    private let state = Mutex(State())
    private let current: Mutex<Snapshot>
    private let guards: Guards?

    init(builtIn: [Route], guards: Guards? = nil) {
        self.guards = guards
        state.withLock { $0.builtIn = builtIn }
        current = Mutex(Self.build(State(builtIn: builtIn)))
    }

    var snapshot: Snapshot { current.withLock { $0 } }

    func setRoutes(_ routes: [Route], system: String) {
        update { state in
            state.systemRoutes.removeAll { $0.owner == system }
            state.systemRoutes.append(
                (
                    system,
                    routes.map { route in
                        let path = route.path.hasPrefix("/") ? route.path : "/" + route.path
                        return Route(
                            route.method, "/api/v1/\(system)\(path == "/" ? "" : path)", handler: guarded(route.handler, owner: system))
                    }
                ))
        }
    }

    func setRootRoutes(_ routes: [Route], owner: String) {
        update { state in
            state.rootRoutes.removeAll { $0.owner == owner }
            state.rootRoutes.append((owner, routes.map { Route($0.method, $0.path, handler: guarded($0.handler, owner: owner)) }))
        }
    }

    func addHooks(_ hooks: any RequestHooks, system: String) {
        add(.async(hooks), system: system)
    }

    func addHooks(_ hooks: any SynchronousRequestHooks, system: String) {
        add(.synchronous(hooks), system: system)
    }

    private func add(_ hooks: SystemHooks.Hooks, system: String) {
        let systemGuard = guards?[system]
        let entry = SystemHooks(
            system: system, hooks: hooks, beforeRequest: systemGuard?.site("beforeRequest"),
            afterResponse: systemGuard?.site("afterResponse"))
        update { $0.hooks.append(entry) }
    }

    func remove(owner: String) {
        update { state in
            state.systemRoutes.removeAll { $0.owner == owner }
            state.rootRoutes.removeAll { $0.owner == owner }
            state.hooks.removeAll { $0.system == owner }
        }
    }

    var routeList: [String] { snapshot.routeList }

    /// A route handler run through its system's guard: in the request's guarded run when the
    /// system is cooperative, on its own threads otherwise. Client errors (4xx problems) are
    /// answers, not failures: they are returned inside the guard so they never trip the breaker.
    private func guarded(_ handler: @escaping RouteHandler, owner: String) -> RouteHandler {
        guard let site = guards?[owner]?.site("route") else { return handler }
        return { request, context in
            // Two closures, one per path: the cooperative one does not escape, so it is not allocated.
            if site.runsCooperatively, let run = context.guardedCalls {
                return try await run.call(site) { try await Self.answer(handler, request, context) }
            }
            return try await site.callIsolated { try await Self.answer(handler, request, context) }
        }
    }

    /// The route's response, with a 4xx problem it throws turned into its response.
    private static func answer(_ handler: RouteHandler, _ request: Request, _ context: TrellisRequestContext) async throws -> Response {
        do {
            return try await handler(request, context)
        } catch let problem as Problem where problem.status.code < 500 {
            return problem.response(instance: request.uri.path, requestID: context.requestID)
        }
    }

    private func update(_ change: (inout State) -> Void) {
        let built = state.withLock { state -> Snapshot in
            change(&state)
            return Self.build(state)
        }
        current.withLock { $0 = built }
    }

    private static func build(_ state: State) -> Snapshot {
        let router = Router(context: TrellisRequestContext.self)
        let all = state.builtIn + state.systemRoutes.flatMap(\.routes) + state.rootRoutes.flatMap(\.routes)
        var patterns: [String: [HTTPRequest.Method]] = [:]
        var order: [String] = []
        for route in all {
            let hummingbirdPath = RouterPath(Self.hummingbirdPath(route.path))
            let handler = route.handler
            router.on(hummingbirdPath, method: route.method) { request, context in try await handler(request, context) }
            if patterns[route.path] == nil { order.append(route.path) }
            patterns[route.path, default: []].append(route.method)
        }
        var methods = RouteMethods()
        for path in order { methods.add(path, methods: patterns[path]!) }
        return Snapshot(
            responder: router.buildResponder(),
            methods: methods,
            hooks: state.hooks,
            routeList: all.map { "\($0.method.rawValue) \($0.path)" })
    }

    /// `{id}` in Trellis paths is `:id` in Hummingbird's.
    static func hummingbirdPath(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { segment in
            segment.hasPrefix("{") && segment.hasSuffix("}") ? ":" + segment.dropFirst().dropLast() : segment
        }.joined(separator: "/")
    }
}
