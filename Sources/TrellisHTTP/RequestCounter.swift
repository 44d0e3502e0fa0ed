internal import HTTPTypes
internal import Synchronization
internal import TrellisHTTPCapability

/// Counts answered requests by route pattern, method and status: the `http.statistics` capability.
///
/// One lock and one dictionary update per request. The key holds strings the request already
/// has (the router's pattern, the method's name), so counting allocates only the first time a
/// key is seen; readers pay for the snapshot instead.
final class RequestCounter: HTTPStatistics, Sendable {
    private struct Key: Hashable {
        /// The router's pattern; `nil` when no route ran.
        let route: String?
        let method: String
        let status: Int
    }

    private let counts = Mutex<[Key: Int]>([:])

    /// Counts one answered request; `route` is the pattern the router matched, if it ran.
    func record(route: String?, method: HTTPRequest.Method, status: Int) {
        let key = Key(route: route, method: Self.label(for: method), status: status)
        counts.withLock { $0[key, default: 0] += 1 }
    }

    var requestCounts: [HTTPRequestCount] {
        var merged: [Key: Int] = [:]
        for (key, count) in counts.withLock({ $0 }) {
            // Hummingbird names a request its router could not place `NotFound`: not a pattern.
            let route = key.route.flatMap { $0.hasPrefix("/") ? $0 : nil }
            merged[Key(route: route, method: key.method, status: key.status), default: 0] += count
        }
        return merged.map { key, count in
            HTTPRequestCount(route: key.route ?? HTTPRequestCount.unmatched, method: key.method, status: key.status, count: count)
        }
    }

    /// The method as a label: its name when standard, `other` otherwise, so invented methods
    /// cannot add series without bound.
    private static func label(for method: HTTPRequest.Method) -> String {
        switch method {
        case .get, .head, .post, .put, .delete, .patch, .options, .connect, .trace: method.rawValue
        default: "other"
        }
    }
}
