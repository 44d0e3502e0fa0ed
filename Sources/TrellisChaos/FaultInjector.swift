internal import Foundation
internal import Synchronization

/// The chaos system's configuration in force, and the calls hanging under it.
///
/// A new configuration replaces the old one in one step: a call reads the configuration once,
/// when it starts, and misbehaves as that one says. Calls hanging under a configuration return
/// when it is replaced (or when the system stops): a hang ignores cancellation and the guard's
/// deadline, as a real hung call would, so only a change of configuration can end it.
final class FaultInjector: Sendable {
    private struct State {
        var config: ChaosConfig
        /// Bumped by every change, so a call that decided to hang under an older configuration returns at once.
        var generation = 0
        var hanging: [CheckedContinuation<Void, Never>] = []

        /// Starts a new generation and hands back the calls hanging under the old one, to resume outside the lock.
        mutating func releaseHanging() -> [CheckedContinuation<Void, Never>] {
            generation += 1
            defer { hanging = [] }
            return hanging
        }
    }

    private let state: Mutex<State>

    init(config: ChaosConfig = ChaosConfig()) {
        state = Mutex(State(config: config))
    }

    var config: ChaosConfig { state.withLock { $0.config } }

    /// Puts `config` in force; calls hanging under the previous configuration return.
    func apply(_ config: ChaosConfig) {
        let released = state.withLock { state in
            state.config = config
            return state.releaseHanging()
        }
        for call in released { call.resume() }
    }

    /// Ends every hanging call (the system is stopping).
    func releaseAll() {
        for call in state.withLock({ $0.releaseHanging() }) { call.resume() }
    }

    /// Calls hanging now, for tests and health.
    var hangingCount: Int { state.withLock { $0.hanging.count } }

    /// Misbehaves as `target` is configured (throws, waits, hangs or blocks the thread), or
    /// returns at once when it behaves or the draw under `probability` spares this call.
    func inject(_ target: ChaosTarget) async throws {
        let (spec, generation) = state.withLock { ($0.config.fault(target), $0.generation) }
        guard spec.mode != .none, spec.probability >= 1 || Double.random(in: 0..<1) < spec.probability else { return }
        switch spec.mode {
        case .none:
            return
        case .throw, .failStart:
            throw ChaosError.injected(target: target, mode: spec.mode)
        case .delay:
            try await Task.sleep(for: spec.delay)
        case .hang:
            await hang(underGeneration: generation)
        case .blockThread:
            Self.blockThread(for: spec.delay)
        }
    }

    /// Deliberately synchronous: holds whatever thread runs it, as blocking code does.
    private static func blockThread(for duration: Duration) {
        Thread.sleep(forTimeInterval: Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
    }

    /// Suspends, without a thread and ignoring cancellation, until the configuration changes.
    private func hang(underGeneration generation: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let stale = state.withLock { state -> Bool in
                guard state.generation == generation else { return true }
                state.hanging.append(continuation)
                return false
            }
            if stale { continuation.resume() }
        }
    }
}
