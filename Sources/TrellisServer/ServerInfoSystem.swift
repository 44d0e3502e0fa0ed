internal import Hummingbird
internal import Synchronization
public import TrellisCore
internal import TrellisHTTPCapability
internal import TrellisJSON

/// The `server` system: `GET /` (a welcome with links) and `GET /health` (the kernel's
/// aggregated health; 503 when down).
public final class ServerInfoSystem: System, Sendable {
    /// The kernel, set after construction; a class so the route closures can share it.
    private final class KernelReference: Sendable {
        let value = Mutex<Kernel?>(nil)
    }

    private let kernel = KernelReference()
    private let name: String

    public init(name: String) {
        self.name = name
    }

    /// Connects the system to the kernel it reports on (the kernel is created after its systems).
    public func attach(_ kernel: Kernel) {
        self.kernel.value.withLock { $0 = kernel }
    }

    public var manifest: SystemManifest {
        SystemManifest(
            id: "server", version: "1.0.0", summary: "Welcome page and health endpoint",
            requires: ["http"], optional: ["endpoints"], consumes: [AnyCapabilityKey(httpRoutingKey)],
            guardPolicy: GuardPolicy(isolation: .cooperative))
    }

    public func start(_ context: SystemContext) async throws {
        let routing = try context.capability(httpRoutingKey)
        let kernel = self.kernel
        let name = self.name
        routing.setRootRoutes(
            [
                Route(.get, "/") { _, _ in
                    // The API the user declared; the server's own and the admin routes are not endpoints.
                    let endpoints = routing.routeList.filter { route in
                        !route.hasSuffix(" /") && !route.hasSuffix(" /health") && !route.hasSuffix(" /metrics")
                            && !route.contains(" /api/v1/admin/")
                    }
                    let welcome: JSONValue = [
                        "name": .string(name),
                        "message": "Trellis is running. This is the welcome document; the links say where to go next.",
                        "links": ["health": "/health"],
                        "endpoints": .array(endpoints.map { .string($0) }),
                    ]
                    return Response.json(welcome)
                },
                Route(.get, "/health") { _, _ in
                    guard let kernel = kernel.value.withLock({ $0 }) else {
                        return Response.json(["status": "starting"], status: .serviceUnavailable)
                    }
                    let health = await kernel.health()
                    let systems: [JSONValue] = health.systems.map { system in
                        var entry: JSONObject = ["id": .string(system.id), "state": .string(system.state)]
                        if let report = system.report {
                            entry["status"] = .string(report.status.rawValue)
                            if let message = report.message { entry["message"] = .string(message) }
                        }
                        return .object(entry)
                    }
                    return Response.json(
                        ["status": .string(health.status.rawValue), "systems": .array(systems)],
                        status: health.status == .down ? .serviceUnavailable : .ok)
                },
            ], owner: "server")
    }
}
