internal import Synchronization

/// A hook that did not finish within its time limit.
public struct TimeLimitExceeded: Error, Sendable, CustomStringConvertible {
    public let operation: String
    public let limit: Duration

    public var description: String { "\(operation) did not finish within \(limit)" }
}

/// Runs `operation`, giving up at `limit` even if the operation ignores cancellation.
///
/// The operation runs in its own task so the caller can return at the deadline; the
/// straggler is cancelled and left to finish on its own. This is the one place the kernel
/// uses unstructured tasks, because structured concurrency would make the caller wait for
/// exactly the misbehaving code it is protecting itself from.
///
/// When the caller is cancelled, the operation is cancelled too; the caller stops waiting at
/// once, unless `awaitWhenCancelled` is set (for `stop` hooks, which must finish, in order,
/// even when the kernel's task is cancelled), in which case it still waits up to `limit`.
func withTimeLimit<T: Sendable>(
    _ limit: Duration, _ operationName: String, awaitWhenCancelled: Bool = false,
    _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    let outcome = OneShot<T>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            outcome.install(continuation)
            let work = Task {
                do {
                    outcome.resume(with: .success(try await operation()))
                } catch {
                    outcome.resume(with: .failure(error))
                }
            }
            let timer = Task {
                try await Task.sleep(for: limit)
                if outcome.resume(with: .failure(TimeLimitExceeded(operation: operationName, limit: limit))) {
                    work.cancel()
                }
            }
            outcome.onFinish { timer.cancel() }
            outcome.onCancel { work.cancel() }
        }
    } onCancel: {
        if awaitWhenCancelled { outcome.cancelOperation() } else { outcome.cancel() }
    }
}

/// A continuation resumed exactly once, by whichever of the work, the timer or a cancellation comes first.
private final class OneShot<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var pending: Result<T, any Error>?
        var finished = false
        var onFinish: [@Sendable () -> Void] = []
        var onCancel: (@Sendable () -> Void)?
        var cancelled = false
    }

    private let state = Mutex(State())

    func install(_ continuation: CheckedContinuation<T, any Error>) {
        let pending = state.withLock { state -> Result<T, any Error>? in
            if let pending = state.pending {
                state.pending = nil
                return pending
            }
            state.continuation = continuation
            return nil
        }
        if let pending { continuation.resume(with: pending) }
    }

    /// Resumes the caller with `result` unless something already did; returns whether this call did.
    @discardableResult
    func resume(with result: Result<T, any Error>) -> Bool {
        let action = state.withLock { state -> (CheckedContinuation<T, any Error>?, [@Sendable () -> Void])? in
            guard !state.finished else { return nil }
            state.finished = true
            let continuation = state.continuation
            state.continuation = nil
            if continuation == nil { state.pending = result }
            let callbacks = state.onFinish
            state.onFinish = []
            return (continuation, callbacks)
        }
        guard let (continuation, callbacks) = action else { return false }
        continuation?.resume(with: result)
        for callback in callbacks { callback() }
        return true
    }

    func onFinish(_ callback: @escaping @Sendable () -> Void) {
        let runNow = state.withLock { state -> Bool in
            if state.finished { return true }
            state.onFinish.append(callback)
            return false
        }
        if runNow { callback() }
    }

    func onCancel(_ callback: @escaping @Sendable () -> Void) {
        let runNow = state.withLock { state -> Bool in
            if state.cancelled { return true }
            state.onCancel = callback
            return false
        }
        if runNow { callback() }
    }

    /// Cancels the operation and resumes the caller with `CancellationError`.
    func cancel() {
        cancelOperation()
        resume(with: .failure(CancellationError()))
    }

    /// Cancels the operation but leaves the caller waiting for its result or the time limit.
    func cancelOperation() {
        let callback = state.withLock { state -> (@Sendable () -> Void)? in
            state.cancelled = true
            return state.onCancel
        }
        callback?()
    }
}
