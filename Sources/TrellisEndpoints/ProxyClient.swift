internal import AsyncHTTPClient
internal import NIOCore
internal import Synchronization

/// The one HTTP client every proxy endpoint shares, created in `start` and shut down in `stop`,
/// and a count of the exchanges in flight so `stop` can let them finish first.
final class ProxyClient: Sendable {
    let client: HTTPClient
    private let inFlight = Mutex(0)

    init() {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow, timeout: .init(connect: .seconds(10)), decompression: .disabled)
        // A proxy passes redirects and compressed bodies on as they are (above). An upstream
        // that refuses connections answers 502 at once instead of after connect retries: the
        // client that called the proxy decides whether to retry.
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 64
        client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    /// Counts an exchange from the request until its response body has been passed on.
    func begin() { inFlight.withLock { $0 += 1 } }
    func end() { inFlight.withLock { $0 -= 1 } }
    var exchangesInFlight: Int { inFlight.withLock { $0 } }

    /// Waits up to `grace` for exchanges in flight to finish, then shuts the client down.
    func shutdown(grace: Duration) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: grace)
        while exchangesInFlight > 0, clock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        try await client.shutdown()
    }
}

/// A request body passed on as it arrives, failing with a 413 problem past `limit` bytes
/// (a chunked body has no `Content-Length` for the `http` system to check up front).
struct LimitedBody<Base: AsyncSequence & Sendable>: AsyncSequence, Sendable where Base.Element == ByteBuffer {
    typealias Element = ByteBuffer

    let base: Base
    let limit: Int
    let tooLarge: @Sendable () -> any Error

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: Base.AsyncIterator
        let limit: Int
        let tooLarge: @Sendable () -> any Error
        var total = 0

        mutating func next() async throws -> ByteBuffer? {
            guard let buffer = try await base.next() else { return nil }
            total += buffer.readableBytes
            if total > limit { throw tooLarge() }
            return buffer
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator(), limit: limit, tooLarge: tooLarge)
    }
}
