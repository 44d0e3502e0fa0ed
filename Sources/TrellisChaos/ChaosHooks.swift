internal import Hummingbird
internal import TrellisHTTPCapability

/// The chaos system's request hooks: they misbehave as configured, and otherwise change nothing.
struct ChaosHooks: RequestHooks {
    let injector: FaultInjector

    func beforeRequest(_ request: Request, context: TrellisRequestContext) async throws -> Response? {
        try await injector.inject(.beforeRequest)
        return nil
    }

    func afterResponse(_ response: consuming Response, request: Request, context: TrellisRequestContext) async throws -> Response {
        try await injector.inject(.afterResponse)
        return response
    }
}
