internal import Foundation
internal import HTTPTypes
internal import Hummingbird
internal import Logging
internal import TrellisCore
internal import TrellisHTTPCapability
internal import TrellisJSON

/// The one responder behind every request: request id, body limit, the systems' hooks in
/// plan order, the route, and problem+json (RFC 9457) for every error.
struct TrellisResponder: HTTPResponder {
    typealias Context = TrellisRequestContext

    let table: RouteTable
    let bodyLimit: Int
    let accessLog: Bool
    /// The kernel's guards: every system hook runs through its system's guard.
    let guards: Guards
    /// Answered requests by route and status (`http.statistics`).
    let statistics: RequestCounter

    func respond(to request: Request, context: TrellisRequestContext) async throws -> Response {
        // Read only for the access log's duration.
        let started = accessLog ? ContinuousClock.now : nil
        var context = context
        let requestID = Self.requestID(from: request.headers[.requestID])
        context.requestID = requestID
        context.maxUploadSize = bodyLimit
        let snapshot = table.snapshot
        let outcome: Progress
        do {
            try checkLength(of: request)
            outcome = try await Self.run(request, context: context, snapshot: snapshot)
        } catch {
            outcome = Progress(stage: .failed(error))
        }
        var response: Response
        if case .failed(let error) = outcome.stage {
            response = problem(for: error, request: request, context: context).response(instance: request.uri.path, requestID: requestID)
        } else {
            response = outcome.response ?? Response(status: .noContent)
        }
        response.headers[.requestID] = requestID
        if !outcome.degraded.isEmpty { response.headers[.trellisDegraded] = outcome.degraded.joined(separator: ", ") }
        // The router stores the pattern it matched in the context's shared endpoint-path box.
        statistics.record(route: context.endpointPath, method: request.method, status: Int(response.status.code))
        if let started {
            let elapsed = ContinuousClock.now - started
            context.logger.info(
                "\(request.method.rawValue) \(request.uri.path) \(response.status.code)",
                metadata: [
                    "request_id": .string(requestID), "method": .string(request.method.rawValue), "path": .string(request.uri.path),
                    "status": .stringConvertible(response.status.code),
                    "duration_ms": .string(Self.milliseconds(elapsed)),
                ])
        }
        return response
    }

    /// 413 by `Content-Length`, before any system's code runs: no hook reads (and fails on) a
    /// body over the limit, so such requests cannot trip a system's breaker.
    private func checkLength(of request: Request) throws(Problem) {
        if let text = request.headers[.contentLength], let length = Int(text), length > bodyLimit {
            throw Problem(.contentTooLarge, detail: "the request body is \(length) bytes, more than the limit of \(bodyLimit) bytes")
        }
    }

    /// The answers that need no route, given where the route would answer (so the systems'
    /// hooks see them like any other answer): 404, and 405 with `Allow`.
    private static func refusal(of request: Request, snapshot: RouteTable.Snapshot) -> Problem? {
        let path = request.uri.path
        if snapshot.methods.allows(request.method, at: path) { return nil }
        let allowed = snapshot.methods.methods(at: path)
        if allowed.isEmpty {
            return Problem(.notFound, detail: "nothing is served at \(path)")
        }
        let list = allowed.map(\.rawValue).joined(separator: ", ")
        return Problem(
            .methodNotAllowed, detail: "\(request.method.rawValue) is not allowed on \(path); allowed: \(list)", headers: [.allow: list])
    }

    /// Where a request is between the systems it goes through: what a ``GuardedRun`` saves
    /// before each guarded call, to go on from should the call time out.
    struct Progress: Sendable {
        enum Stage: Sendable {
            case before(Int)
            case route
            case after(Int)
            case done
            case failed(any Error)
        }

        var stage: Stage = .before(0)
        var response: Response?
        /// Systems whose hook was skipped, for `Trellis-Degraded`.
        var degraded: [String] = []

        // Mutating methods, not field writes, in `advance`: the compiler cannot `consume` a
        // variable whose fields are written one by one.
        mutating func go(to next: Stage) {
            stage = next
        }

        mutating func go(to next: Stage, response: consuming Response?) {
            self.response = response
            stage = next
        }

        /// Goes on to `next` after `system`'s hook failed, timed out or was refused: a
        /// non-critical system is listed as degraded; a critical one fails the request with a 503.
        mutating func skip(_ site: GuardSite?, system: String, hook: String, after error: any Error, next: Stage) {
            if error is CancellationError {
                stage = .failed(error)
            } else if site?.isCritical == true {
                stage = .failed(
                    Problem(
                        .serviceUnavailable, type: "https://trellis.dev/problems/system-unavailable", title: "System unavailable",
                        detail: "\(system) is critical and its \(hook) hook failed: \(error)", extensions: ["system": .string(system)]))
            } else {
                if !degraded.contains(system) { degraded.append(system) }
                stage = next
            }
        }
    }

    /// The systems' `beforeRequest` hooks in plan order, the route, then their `afterResponse`
    /// hooks, each through its system's guard, in one ``GuardedRun``, with the request id bound
    /// for log lines (in each leg's own task, which then has no task-locals to copy).
    private static func run(_ request: Request, context: TrellisRequestContext, snapshot: RouteTable.Snapshot) async throws -> Progress {
        let hooks = snapshot.hooks
        return try await GuardedRun<Progress, Progress>.run(from: Progress()) { start, run in
            var routeContext = context
            routeContext.guardedCalls = RequestRun(run: run)
            return try await RequestLogging.$requestID.withValue(context.requestID) { [routeContext] in
                try await advance(from: start, request, context: routeContext, snapshot: snapshot, run: run)
            }
        } afterTimeout: { checkpoint, error in
            var progress = checkpoint
            switch checkpoint.stage {
            case .before(let index):
                progress.skip(
                    hooks[index].beforeRequest, system: hooks[index].system, hook: "beforeRequest", after: error,
                    next: .before(index + 1))
            case .after(let index):
                progress.skip(
                    hooks[index].afterResponse, system: hooks[index].system, hook: "afterResponse", after: error,
                    next: .after(index + 1))
            case .route, .done, .failed:
                progress.go(to: .failed(error), response: nil)
            }
            return progress
        }
    }

    /// Takes the request from `start` through the hooks and the route until it is done or failed.
    nonisolated(nonsending) private static func advance(
        from start: Progress, _ request: Request, context: TrellisRequestContext, snapshot: RouteTable.Snapshot,
        run: GuardedRun<Progress, Progress>
    ) async throws -> Progress {
        let hooks = snapshot.hooks
        var progress = start
        while true {
            let stage = progress.stage
            switch stage {
            case .before(let first) where first < hooks.count:
                var early: Response?
                var failure: (any Error)?
                let (index, ended) = Self.callInline(from: first, of: hooks) { entry, clock in
                    entry.beforeRequestInline(request, context: context, clock: &clock)
                }
                switch ended {
                case .success(let response)?: early = response
                case .failure(let error)?: failure = error
                case nil:
                    if index != first {
                        progress.go(to: .before(index))
                        continue
                    }
                    let entry = hooks[index]
                    switch entry.hooks {
                    case .synchronous(let systemHooks):
                        do {
                            early = try await isolated(entry.beforeRequest) { try systemHooks.beforeRequest(request, context: context) }
                        } catch {
                            failure = error
                        }
                    case .async(let systemHooks):
                        if let site = entry.beforeRequest, site.runsCooperatively {
                            // The run holds the progress during the call, to go on from should it time out.
                            do {
                                early = try await run.call(site, holding: consume progress) {
                                    try await systemHooks.beforeRequest(request, context: context)
                                }
                            } catch {
                                failure = error
                            }
                            // Throws (ending this leg) when the call was left behind.
                            progress = try run.reclaim()
                        } else {
                            do {
                                early = try await isolated(entry.beforeRequest) {
                                    try await systemHooks.beforeRequest(request, context: context)
                                }
                            } catch {
                                failure = error
                            }
                        }
                    }
                }
                if let failure {
                    let entry = hooks[index]
                    progress.skip(
                        entry.beforeRequest, system: entry.system, hook: "beforeRequest", after: failure, next: .before(index + 1))
                } else {
                    progress.go(to: early == nil ? .before(index + 1) : .after(0), response: early)
                }
            case .before:
                progress.go(to: .route)
            case .route:
                if let refusal = refusal(of: request, snapshot: snapshot) {
                    progress.go(to: .after(0), response: refusal.response(instance: request.uri.path, requestID: context.requestID))
                    continue
                }
                run.save(progress)
                do {
                    progress.go(to: .after(0), response: try await snapshot.responder.respond(to: request, context: context))
                } catch {
                    progress.go(to: .failed(error))
                }
            case .after(let first) where first < hooks.count:
                if progress.response == nil { progress.go(to: stage, response: Response(status: .noContent)) }
                var response: Response?
                var failure: (any Error)?
                // A synchronous hook borrows the response and returns a replacement, if any:
                // nothing is copied for a hook that changes nothing.
                let (index, ended) = Self.callInline(from: first, of: hooks) { entry, clock in
                    entry.afterResponseInline(progress.response!, request: request, context: context, clock: &clock)
                }
                switch ended {
                case .success(let replacement)?: response = replacement
                case .failure(let error)?: failure = error
                case nil:
                    if index != first {
                        progress.go(to: .after(index))
                        continue
                    }
                    let entry = hooks[index]
                    switch entry.hooks {
                    case .synchronous(let systemHooks):
                        let current = progress.response!
                        do {
                            response =
                                try await isolated(entry.afterResponse) {
                                    try systemHooks.afterResponse(current, request: request, context: context)
                                } ?? current
                        } catch {
                            failure = error
                        }
                    case .async(let systemHooks):
                        if let site = entry.afterResponse, site.runsCooperatively {
                            // The hook's own copy, moved into it: the progress keeps the response it
                            // had, should the hook time out.
                            var owned = progress.response
                            do {
                                response = try await run.call(site, holding: consume progress) {
                                    try await systemHooks.afterResponse(
                                        owned.take() ?? Response(status: .noContent), request: request, context: context)
                                }
                            } catch {
                                failure = error
                            }
                            progress = try run.reclaim()
                        } else {
                            let current = progress.response!
                            do {
                                response = try await isolated(entry.afterResponse) {
                                    try await systemHooks.afterResponse(current, request: request, context: context)
                                }
                            } catch {
                                failure = error
                            }
                        }
                    }
                }
                if let failure {
                    let entry = hooks[index]
                    progress.skip(entry.afterResponse, system: entry.system, hook: "afterResponse", after: failure, next: .after(index + 1))
                } else {
                    progress.go(to: .after(index + 1), response: response)
                }
            case .after:
                progress.go(to: .done)
            case .done, .failed:
                return progress
            }
        }
    }

    /// Calls the synchronous hooks from `first` on, one after the other, for as long as `call`
    /// can make them on this thread (it returns `nil` for async hooks and for systems whose
    /// calls run on their own threads) and they return `nil`. Returns the index of the first
    /// hook not called (where the caller goes on), and how the call at it ended if it answered
    /// or failed. One clock read per call (`clock`); each entry is reached unretained: the
    /// snapshot keeps it alive, and reference counts of objects every request shares are
    /// written by every core.
    private static func callInline(
        from first: Int, of hooks: [RouteTable.SystemHooks],
        _ call: (RouteTable.SystemHooks, inout GuardClockReading) -> Result<Response?, any Error>?
    ) -> (index: Int, ended: Result<Response, any Error>?) {
        var clock = GuardClockReading()
        var index = first
        while index < hooks.count {
            switch Unmanaged.passUnretained(hooks[index])._withUnsafeGuaranteedRef({ call($0, &clock) }) {
            case nil: return (index, nil)
            case .success(nil): index += 1
            case .success(let response?): return (index, .success(response))
            case .failure(let error): return (index, .failure(error))
            }
        }
        return (index, nil)
    }

    /// The request's run as the route sees it (`TrellisRequestContext.guardedCalls`).
    private struct RequestRun: GuardedRouteCalls {
        let run: GuardedRun<Progress, Progress>

        func call(_ site: GuardSite, _ operation: () async throws -> Response) async throws -> Response {
            try await run.call(site, operation)
        }
    }

    /// One hook call on its system's threads, through its guard site (called directly without one).
    private static func isolated<T: Sendable>(_ site: GuardSite?, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        guard let site else { return try await operation() }
        return try await site.callIsolated(operation)
    }

    private func problem(for error: any Error, request: Request, context: TrellisRequestContext) -> Problem {
        switch error {
        case let problem as Problem:
            return problem
        case let error as GuardError:
            // A system's route was refused or timed out by its guard: the system, not the server, is unavailable.
            return Problem(
                .serviceUnavailable, type: "https://trellis.dev/problems/system-unavailable", title: "System unavailable",
                detail: "\(error)", extensions: ["system": .string(error.system)], headers: [.retryAfter: "1"])
        case let error as HTTPError:
            return Problem(error.status, detail: error.body ?? error.status.reasonPhrase, headers: error.headers)
        case let error as any HTTPResponseError:
            return Problem(error.status, detail: error.status.reasonPhrase)
        default:
            context.logger.error(
                "unhandled error in \(request.method.rawValue) \(request.uri.path): \(error)",
                metadata: ["request_id": .string(context.requestID)])
            return Problem(.internalServerError, detail: "the server failed to handle the request; the error is logged with the request id")
        }
    }

    /// `duration` in milliseconds with three decimals (`0.042`), rounded as `%.3f` rounds,
    /// without Foundation's formatter (a third of the access log's cost).
    static func milliseconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let microseconds = max(0, seconds * 1_000_000 + (attoseconds + 500_000_000_000) / 1_000_000_000_000)
        let fraction = microseconds % 1000
        return "\(microseconds / 1000)." + (fraction < 10 ? "00" : fraction < 100 ? "0" : "") + "\(fraction)"
    }

    /// The client's request id when it is 1–128 characters of `A-Z a-z 0-9 . _ -`, else a new UUID.
    static func requestID(from header: String?) -> String {
        if let header, !header.isEmpty, header.utf8.count <= 128,
            header.utf8.allSatisfy({ byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == 0x2D || byte == 0x2E || byte == 0x5F
            })
        {
            return header
        }
        return RequestIdentifiers.next()
    }
}

extension HTTPField.Name {
    static let requestID = HTTPField.Name("X-Request-Id")!
    static let trellisDegraded = HTTPField.Name("Trellis-Degraded")!
}
