import Testing
import TrellisCore
import TrellisTesting

/// A kernel that never reads the real process environment.
func makeKernel(
    _ systems: [any System], file: FileConfiguration = FileConfiguration(), environment: [String: String] = [:],
    store: any ConfigStore = InMemoryConfigStore()
) throws(BootError) -> Kernel {
    try Kernel(systems: systems, file: file, environment: environment, store: store)
}

/// A kernel started in a task: `run()` is under way and every system has started.
struct RunningKernel {
    let kernel: Kernel
    let task: Task<Void, any Error>

    /// Asks the kernel to stop and waits until `run()` returns.
    func shutdown() async throws {
        kernel.requestShutdown()
        try await task.value
    }
}

/// Starts `kernel.run()` in a task and waits until every system has started (or the boot failed).
func start(_ kernel: Kernel) async throws -> RunningKernel {
    let task = Task { try await kernel.run() }
    do {
        try await kernel.waitUntilRunning()
    } catch {
        _ = await task.result
        throw error
    }
    return RunningKernel(kernel: kernel, task: task)
}

/// Runs `kernel`, calls `body` while it runs, then shuts it down.
func withRunningKernel<T>(_ kernel: Kernel, _ body: (Kernel) async throws -> T) async throws -> T {
    let running = try await start(kernel)
    do {
        let result = try await body(kernel)
        try await running.shutdown()
        return result
    } catch {
        try? await running.shutdown()
        throw error
    }
}

/// The `BootError` `body` throws; records an issue and returns nil when it throws nothing or something else.
func bootError(_ body: () async throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) async -> BootError? {
    do {
        try await body()
        Issue.record("expected a BootError, but nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as BootError {
        return error
    } catch {
        Issue.record("expected a BootError, got \(type(of: error)): \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

/// The messages of a boot error's problems.
func messages(_ error: BootError?) -> [String] {
    error?.problems.map(\.message) ?? []
}

/// Polls `condition` until it holds or the process has run for `timeout` (a stall of the whole
/// machine does not count, see ``StallWatch``); returns whether it held.
func eventually(timeout: Duration = .seconds(10), _ condition: () async -> Bool) async -> Bool {
    let started = StallWatch.shared.now
    while StallWatch.shared.runningTime(since: started) < timeout {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(2))
    }
    return await condition()
}
