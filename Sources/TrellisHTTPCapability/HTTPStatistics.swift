public import TrellisCore

/// The capability key of the request counts the `http` system keeps.
public let httpStatisticsKey = CapabilityKey<any HTTPStatistics>("http.statistics")

/// How many requests the server answered, by route and status, for `/metrics` and dashboards.
///
/// The `http` system counts as it answers; readers take a snapshot when they need one (a
/// Prometheus scrape), so the request path never calls into another system.
public protocol HTTPStatistics: Sendable {
    /// Every (route, method, status) seen since the `http` system started, with its count.
    var requestCounts: [HTTPRequestCount] { get }
}

/// Requests answered on one route with one method and status.
public struct HTTPRequestCount: Sendable, Hashable {
    /// The route pattern that handled the request (`/api/v1/todos/{id}`), or
    /// ``HTTPRequestCount/unmatched`` when no route did (404, 405, 413, or a hook answered first).
    public var route: String
    /// The request method; `other` for a method outside RFC 9110 and PATCH, so a client cannot
    /// grow the set of series by inventing methods.
    public var method: String
    public var status: Int
    public var count: Int

    /// The `route` of requests no route handled.
    public static let unmatched = "unmatched"

    public init(route: String, method: String, status: Int, count: Int) {
        self.route = route
        self.method = method
        self.status = status
        self.count = count
    }
}
