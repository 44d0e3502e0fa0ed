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
        let clock = ContinuousClock()
        let started = clock.now
        var context = context
        let requestID = Self.requestID(from: request.headers[.requestID])
        context.requestID = requestID
        context.maxUploadSize = bodyLimit
        context.logger[metadataKey: "request_id"] = .string(requestID)
        let snapshot = table.snapshot
        var response: Response
        var degraded: [String] = []
        do {
            response = try await handle(request, context: context, snapshot: snapshot, degraded: &degraded)
        } catch {
            response = problem(for: error, request: request, context: context).response(instance: request.uri.path, requestID: requestID)
        }
        response.headers[.requestID] = requestID
        if !degraded.isEmpty { response.headers[.trellisDegraded] = degraded.joined(separator: ", ") }
        // The router stores the pattern it matched in the context's shared endpoint-path box.
        statistics.record(route: context.endpointPath, method: request.method, status: Int(response.status.code))
        if accessLog {
            let elapsed = clock.now - started
            context.logger.info(
                "\(request.method.rawValue) \(request.uri.path) \(response.status.code)",
                metadata: [
                    "method": .string(request.method.rawValue), "path": .string(request.uri.path),
                    "status": .stringConvertible(response.status.code),
                    "duration_ms": .string(
                        String(format: "%.3f", Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)),
                ])
        }
        return response
    }

    private func handle(
        _ request: Request, context: TrellisRequestContext, snapshot: RouteTable.Snapshot, degraded: inout [String]
    ) async throws -> Response {
        if let text = request.headers[.contentLength], let length = Int(text), length > bodyLimit {
            throw Problem(.contentTooLarge, detail: "the request body is \(length) bytes, more than the limit of \(bodyLimit) bytes")
        }
        let allowed = snapshot.allowedMethods(for: request.uri.path)
        if allowed.isEmpty {
            throw Problem(.notFound, detail: "nothing is served at \(request.uri.path)")
        }
        if !allowed.contains(request.method), !(request.method == .head && allowed.contains(.get)) {
            let list = allowed.map(\.rawValue).joined(separator: ", ")
            throw Problem(
                .methodNotAllowed, detail: "\(request.method.rawValue) is not allowed on \(request.uri.path); allowed: \(list)",
                headers: [.allow: list])
        }
        for (system, hooks) in snapshot.hooks {
            let early = try await callHook(system, "beforeRequest", degraded: &degraded) {
                try await hooks.beforeRequest(request, context: context)
            }
            if let early = early ?? nil {
                return try await after(early, request: request, context: context, snapshot: snapshot, degraded: &degraded)
            }
        }
        let response = try await snapshot.responder.respond(to: request, context: context)
        return try await after(response, request: request, context: context, snapshot: snapshot, degraded: &degraded)
    }

    private func after(
        _ response: Response, request: Request, context: TrellisRequestContext, snapshot: RouteTable.Snapshot, degraded: inout [String]
    ) async throws -> Response {
        var response = response
        for (system, hooks) in snapshot.hooks {
            let current = response
            if let changed = try await callHook(
                system, "afterResponse", degraded: &degraded,
                {
                    try await hooks.afterResponse(current, request: request, context: context)
                })
            {
                response = changed
            }
        }
        return response
    }

    /// Runs one system's hook through its guard. When it fails, times out, is refused or its
    /// breaker is open, a non-critical system's hook is skipped (`nil`, and the system is
    /// listed in `Trellis-Degraded`); a critical system's failure fails the request with a 503.
    private func callHook<T: Sendable>(
        _ system: String, _ hook: String, degraded: inout [String], _ operation: @escaping @Sendable () async throws -> T
    ) async throws -> T? {
        guard let systemGuard = guards[system] else { return try await operation() }
        do {
            return try await systemGuard.call(hook, operation)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            if systemGuard.critical {
                throw Problem(
                    .serviceUnavailable, type: "https://trellis.dev/problems/system-unavailable", title: "System unavailable",
                    detail: "\(system) is critical and its \(hook) hook failed: \(error)", extensions: ["system": .string(system)])
            }
            if !degraded.contains(system) { degraded.append(system) }
            return nil
        }
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
            context.logger.error("unhandled error in \(request.method.rawValue) \(request.uri.path): \(error)")
            return Problem(.internalServerError, detail: "the server failed to handle the request; the error is logged with the request id")
        }
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
        return UUID().uuidString.lowercased()
    }
}

extension HTTPField.Name {
    static let requestID = HTTPField.Name("X-Request-Id")!
    static let trellisDegraded = HTTPField.Name("Trellis-Degraded")!
}
