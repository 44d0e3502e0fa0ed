public import Foundation
internal import HTTPTypes
internal import Hummingbird
internal import Metrics
public import Prometheus
internal import Synchronization
public import TrellisCore
internal import TrellisHTTPCapability
internal import TrellisJSON

/// The `admin` system: `GET /metrics` (Prometheus text) and `GET /api/v1/admin/systems`
/// (every system's state, health, breakers and guard statistics), behind a bearer token.
///
/// Config (`systems.admin.config`):
/// - `token` (secret string, at least 16 characters; set it with `TRELLIS_ADMIN_TOKEN`): the
///   admin token. Without it, the token in `<data dir>/admin-token` is used, or one is generated
///   at the first start (32 random bytes, base64url), stored there with mode 0600 and shown once
///   in the `trellis serve` banner (``tokenNotice``).
/// - `metrics_public` (bool, `false`): serve `/metrics` without the token, for a scraper on a
///   network you trust. Off by default because the series name every route and system.
///
/// The data dir is a constructor parameter, not config: the composition root owns it, and a
/// runtime config change should not be able to move the token file.
///
/// ```swift
/// let admin = AdminSystem(dataDirectory: dataDir, processMetrics: ProcessMetrics.registry)
/// let kernel = try Kernel(systems: [HTTPSystem(), admin])
/// admin.attach(kernel)
/// ```
public final class AdminSystem: System, Sendable {
    public static let id = "admin"

    /// The kernel, set after construction; a class so the route closures can share it.
    private final class KernelReference: Sendable {
        let value = Mutex<Kernel?>(nil)
    }

    private struct Running {
        var routing: any HTTPRouting
        var notice: String
    }

    private let kernel = KernelReference()
    private let dataDirectory: URL?
    private let processMetrics: PrometheusCollectorRegistry?
    private let running = Mutex<Running?>(nil)

    /// - Parameters:
    ///   - dataDirectory: where a generated token is kept (`admin-token`); `nil` requires `TRELLIS_ADMIN_TOKEN`.
    ///   - processMetrics: a registry whose series `/metrics` serves after the kernel's
    ///     (``ProcessMetrics/registry``, where swift-metrics' global API records).
    public init(dataDirectory: URL?, processMetrics: PrometheusCollectorRegistry? = nil) {
        self.dataDirectory = dataDirectory
        self.processMetrics = processMetrics
    }

    /// Connects the system to the kernel it reports on (the kernel is created after its systems).
    public func attach(_ kernel: Kernel) {
        self.kernel.value.withLock { $0 = kernel }
    }

    /// What the banner says about the token once the system has started: the token itself
    /// only on the start that generated it, otherwise where it comes from.
    public var tokenNotice: String? { running.withLock { $0?.notice } }

    public var manifest: SystemManifest {
        SystemManifest(
            id: Self.id, version: "1.0.0", summary: "Admin API and Prometheus metrics behind a bearer token",
            requires: ["http"], consumes: [AnyCapabilityKey(httpRoutingKey), AnyCapabilityKey(httpStatisticsKey)],
            configSchema: [
                "type": "object",
                "properties": [
                    "token": ["type": "string", "minLength": 16, "writeOnly": true],
                    "metrics_public": ["type": "boolean"],
                ],
                "additionalProperties": false,
            ],
            defaults: ["metrics_public": false],
            guardPolicy: GuardPolicy(isolation: .cooperative))
    }

    public func start(_ context: SystemContext) async throws {
        let routing = try context.capability(httpRoutingKey)
        let statistics = try context.capability(httpStatisticsKey)
        let (token, warnings) = try AdminToken.resolve(configured: context.config["token"]?.stringValue, dataDirectory: dataDirectory)
        for warning in warnings { context.logger.warning("\(warning)") }
        let access = AdminAccess(token: token.value)
        let metricsPublic = context.config["metrics_public"]?.boolValue ?? false
        let reference = self.kernel
        let processMetrics = self.processMetrics

        routing.setRootRoutes(
            [
                Route(.get, "/metrics") { request, _ in
                    if !metricsPublic { try Self.authorize(request, access, route: "/metrics") }
                    let kernel = try Self.attached(reference)
                    let body = await MetricsExposition.render(kernel: kernel, requests: statistics.requestCounts, process: processMetrics)
                    return Response(
                        status: .ok, headers: [.contentType: MetricsExposition.contentType],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
                }
            ], owner: Self.id)
        routing.setRoutes(
            [
                Route(.get, "/systems") { request, _ in
                    try Self.authorize(request, access, route: "/api/v1/admin/systems")
                    let kernel = try Self.attached(reference)
                    return Response.json(await SystemsReport.render(kernel))
                }
            ], system: Self.id)
        running.withLock { $0 = Running(routing: routing, notice: token.notice) }
    }

    /// Takes the admin routes down, so nothing answers for a stopped system.
    public func stop(_ context: SystemContext) async throws {
        running.withLock { $0 }?.routing.remove(owner: Self.id)
    }

    /// Checks the token; a refusal is also counted (`trellis_admin_unauthorized_total`, through
    /// swift-metrics), since repeated 401s on admin routes are worth an alert.
    private static func authorize(_ request: Request, _ access: AdminAccess, route: String) throws(Problem) {
        do {
            try access.authorize(request)
        } catch {
            Metrics.Counter(label: "trellis_admin_unauthorized_total", dimensions: [("route", route)]).increment()
            throw error
        }
    }

    private static func attached(_ reference: KernelReference) throws(Problem) -> Kernel {
        guard let kernel = reference.value.withLock({ $0 }) else {
            throw Problem(.serviceUnavailable, detail: "the admin system is not attached to a kernel yet")
        }
        return kernel
    }
}
