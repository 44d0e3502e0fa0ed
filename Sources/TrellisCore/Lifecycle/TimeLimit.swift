/// A hook that did not finish within its time limit.
public struct TimeLimitExceeded: Error, Sendable, CustomStringConvertible {
    public let operation: String
    public let limit: Duration

    public var description: String { "\(operation) did not finish within \(limit)" }
}

/// Runs `operation`, giving up at `limit` even if the operation ignores cancellation
/// (see ``runGuarded(limit:executor:timeoutError:awaitWhenCancelled:whenFinished:_:)``).
///
/// When the caller is cancelled, the operation is cancelled too; the caller stops waiting at
/// once, unless `awaitWhenCancelled` is set (for `stop` hooks, which must finish, in order,
/// even when the kernel's task is cancelled), in which case it still waits up to `limit`.
func withTimeLimit<T: Sendable>(
    _ limit: Duration, _ operationName: String, awaitWhenCancelled: Bool = false,
    _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await runGuarded(
        limit: limit, executor: nil, timeoutError: TimeLimitExceeded(operation: operationName, limit: limit),
        awaitWhenCancelled: awaitWhenCancelled, operation)
}
