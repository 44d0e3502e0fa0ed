internal import Synchronization

/// Runs `operation` in its own task (on `executor` when given) and returns its result, or
/// throws `timeoutError` at the deadline even if the operation ignores cancellation.
///
/// The caller waits on a continuation that the first of three things resumes: the operation
/// finishing, the deadline (fired by ``DeadlineScheduler``), or the caller's own
/// cancellation. A straggler is cancelled and left to finish; `whenFinished` runs when it does.
/// This is the one place the kernel starts unstructured tasks: structured concurrency would
/// make the caller wait for exactly the misbehaving code it is protecting itself from.
func runGuarded<T: Sendable>(
    limit: Duration, executor: (any TaskExecutor)?, timeoutError: any Error, awaitWhenCancelled: Bool = false,
    whenFinished: (@Sendable () -> Void)? = nil, _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    let call = PendingCall<T>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            call.install(continuation)
            let deadline = DeadlineScheduler.shared.schedule(at: .now + limit) {
                if call.resume(with: .failure(timeoutError)) { call.cancelWork() }
            }
            let work = Task(executorPreference: executor) {
                let result: Result<T, any Error>
                do {
                    result = .success(try await operation())
                } catch {
                    result = .failure(error)
                }
                DeadlineScheduler.shared.cancel(deadline)
                whenFinished?()
                call.resume(with: result)
            }
            call.setWork(work)
        }
    } onCancel: {
        call.cancelWork()
        if !awaitWhenCancelled { call.resume(with: .failure(CancellationError())) }
    }
}

/// The caller's continuation, resumed exactly once, and the task doing the work.
private final class PendingCall<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var early: Result<T, any Error>?
        var finished = false
        var work: Task<Void, Never>?
        var cancelRequested = false
    }

    private let state = Mutex(State())

    func install(_ continuation: CheckedContinuation<T, any Error>) {
        let early = state.withLock { state -> Result<T, any Error>? in
            if let early = state.early { return early }
            state.continuation = continuation
            return nil
        }
        if let early { continuation.resume(with: early) }
    }

    /// Resumes the caller unless already resumed; returns whether this call did it.
    @discardableResult
    func resume(with result: Result<T, any Error>) -> Bool {
        let action = state.withLock { state -> CheckedContinuation<T, any Error>?? in
            guard !state.finished else { return .none }
            state.finished = true
            guard let continuation = state.continuation else {
                state.early = result
                return .some(nil)
            }
            state.continuation = nil
            return .some(continuation)
        }
        guard case .some(let continuation) = action else { return false }
        continuation?.resume(with: result)
        return true
    }

    func setWork(_ work: Task<Void, Never>) {
        let cancelNow = state.withLock { state -> Bool in
            state.work = work
            return state.cancelRequested
        }
        if cancelNow { work.cancel() }
    }

    func cancelWork() {
        let work = state.withLock { state -> Task<Void, Never>? in
            state.cancelRequested = true
            return state.work
        }
        work?.cancel()
    }
}
