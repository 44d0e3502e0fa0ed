// ProcessInfo for the inherited environment and Thread for the reaper; never Foundation's `Process`.
internal import Foundation
internal import Synchronization

#if canImport(Glibc)
    internal import Glibc
#elseif canImport(Darwin)
    internal import Darwin
#endif

/// A program a test starts, signals and waits for, launched with `posix_spawn` rather than
/// Foundation's `Process`.
///
/// On Linux, swift-corelibs-foundation's `Process.run()` intermittently crashes the whole test
/// run: to emulate close-on-exec it walks `/proc/self/fd` and copies each entry's full 256-byte
/// `d_name`, reading past the end of the `dirent` (swiftlang/swift-corelibs-foundation#5472,
/// "Process.run() on Linux crashes intermittently", fixed upstream after Swift 6.3.1). This
/// launcher does what the tests relied on `Process` for, without that code:
///
/// - standard input is `/dev/null`; standard output and error go to files (created or emptied),
///   or to `/dev/null`;
/// - the child runs in `workingDirectory`, with `argv[0]` the executable's path and the test
///   process's environment unless `environment` is given;
/// - the child leads a new process group, as `Process` makes it;
/// - no other descriptor of the test process reaches the child (`closefrom(3)` in the child on
///   Linux, `POSIX_SPAWN_CLOEXEC_DEFAULT` on macOS), so it cannot hold a test's sockets open;
/// - its signal mask is empty and every signal has its default action, as a shell would start it
///   (a test thread may block or ignore signals, and a child would otherwise inherit that);
/// - a thread of its own waits for the child, so its ``termination`` is known without anyone asking.
///
/// ```swift
/// let server = try ChildProcess(
///     executable: trellisPath, arguments: ["serve", "--port", "0"], workingDirectory: directory,
///     standardOutput: "\(directory)/out.log", standardError: "\(directory)/err.log")
/// // … talk to it …
/// server.terminate()
/// #expect(await server.waitForExit() == .exited(0))
/// ```
///
/// - Important: a child still running when the last reference goes away is sent `SIGTERM`, so a
///   failing test does not leave a server behind; nothing waits for it to end, but it is reaped.
public final class ChildProcess: Sendable {
    /// How a child ended.
    public enum Termination: Sendable, Equatable, CustomStringConvertible {
        /// It exited with this code.
        case exited(Int32)
        /// This signal ended it.
        case signaled(Int32)
        /// Its status could not be read: something else in the test process reaped it first
        /// (`waitpid` failed with this `errno`, usually `ECHILD`).
        case unknown(errno: Int32)

        /// The exit code, or the number of the signal that ended the child (Foundation's
        /// `terminationStatus`); -1 when ``unknown(errno:)``.
        public var status: Int32 {
            switch self {
            case .exited(let code): code
            case .signaled(let signal): signal
            case .unknown: -1
            }
        }

        public var description: String {
            switch self {
            case .exited(let code): "exited with status \(code)"
            case .signaled(let signal): "ended by signal \(signal)"
            case .unknown(let errno): "ended, status unreadable (errno \(errno))"
            }
        }

        /// Decodes a `waitpid` status; without `WUNTRACED` the child can only have exited or been signalled.
        init(waitStatus status: Int32) {
            let signal = status & 0x7f
            self = signal == 0 ? .exited((status >> 8) & 0xff) : .signaled(signal)
        }
    }

    /// Why a child could not be started: what the launcher was doing, the path involved and the
    /// system's reason, whose `errno` is the stable ``code``.
    public struct LaunchError: Error, CustomStringConvertible, Sendable {
        /// The `errno` value (`ENOENT`, `EACCES`, …).
        public let code: Int32
        /// What failed, such as "open standard output" or "start".
        public let step: String
        /// The file, folder or executable the step was about.
        public let path: String

        public var description: String {
            "could not \(step) \(path): \(String(cString: strerror(code))) (errno \(code)); check that the path exists and is accessible"
        }
    }

    /// The child's process id.
    public let processIdentifier: Int32
    private let state = State()

    /// What the reaper thread and the test's threads share, behind one lock.
    private final class State: Sendable {
        struct Shared {
            var termination: Termination?
            var waiters: [CheckedContinuation<Termination, Never>] = []
        }
        let shared = Mutex(Shared())
    }

    /// Starts `executable` with `arguments`.
    ///
    /// - Parameters:
    ///   - executable: the program's path, also passed as `argv[0]`; it is not looked up in `PATH`.
    ///   - workingDirectory: where the child starts; the test process's own working directory when `nil`.
    ///   - environment: the child's whole environment; the test process's environment when `nil`.
    ///   - standardOutput: a file to create or empty for the child's standard output; `/dev/null` when `nil`.
    ///   - standardError: the same for standard error.
    public init(
        executable: String, arguments: [String] = [], workingDirectory: String? = nil, environment: [String: String]? = nil,
        standardOutput: String? = nil, standardError: String? = nil
    ) throws(LaunchError) {
        let input = try Self.openDescriptor("/dev/null", O_RDONLY, step: "open standard input")
        defer { close(input) }
        let output = try Self.openDescriptor(standardOutput ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, step: "open standard output")
        defer { close(output) }
        let error = try Self.openDescriptor(standardError ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, step: "open standard error")
        defer { close(error) }

        processIdentifier = try Self.spawn(
            executable, arguments: arguments, workingDirectory: workingDirectory,
            environment: environment ?? ProcessInfo.processInfo.environment, standardStreams: [input, output, error])
        Thread.detachNewThread { [state, processIdentifier] in Self.reap(processIdentifier, into: state) }
    }

    deinit {
        terminate()
    }

    /// How the child ended, or `nil` while it runs.
    public var termination: Termination? { state.shared.withLock { $0.termination } }

    /// Whether the child has not yet been seen to end.
    public var isRunning: Bool { termination == nil }

    /// Sends `signal` (`SIGTERM`, `SIGHUP`, `SIGKILL`, …) to the child; does nothing once it has ended.
    public func send(_ signal: Int32) {
        // Under the lock the child is running or an unreaped zombie (see `reap`), so its pid cannot
        // have been reused by another process.
        state.shared.withLock { shared in
            if shared.termination == nil { _ = kill(processIdentifier, signal) }
        }
    }

    /// Asks the child to stop (`SIGTERM`).
    public func terminate() {
        send(SIGTERM)
    }

    /// Waits until the child ends and returns how it did; at once if it already has.
    ///
    /// Not cancellable: bound the wait from the caller (send a signal) if the child may never end.
    public func waitForExit() async -> Termination {
        await withCheckedContinuation { continuation in
            let ended = state.shared.withLock { shared -> Termination? in
                if let termination = shared.termination { return termination }
                shared.waiters.append(continuation)
                return nil
            }
            if let ended { continuation.resume(returning: ended) }
        }
    }

    /// Blocks its own thread until the child ends, records the status and wakes the waiters.
    private static func reap(_ pid: pid_t, into state: State) {
        // Wait without collecting (WNOWAIT): the child stays a zombie, its pid still its own, until the
        // status is recorded under the lock that `send` takes, so a signal never reaches a stranger.
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) == -1 && errno == EINTR {}
        let (termination, waiters) = state.shared.withLock { shared in
            var status: Int32 = 0
            var reaped: pid_t
            repeat { reaped = waitpid(pid, &status, 0) } while reaped == -1 && errno == EINTR
            let termination = reaped == pid ? Termination(waitStatus: status) : .unknown(errno: errno)
            shared.termination = termination
            defer { shared.waiters = [] }
            return (termination, shared.waiters)
        }
        for waiter in waiters { waiter.resume(returning: termination) }
    }

    /// Opens `path` close-on-exec, so only the copies `posix_spawn` makes onto 0, 1 and 2 reach the child.
    private static func openDescriptor(_ path: String, _ flags: Int32, step: String) throws(LaunchError) -> Int32 {
        var descriptor: Int32
        repeat { descriptor = open(path, flags | O_CLOEXEC, 0o644) } while descriptor == -1 && errno == EINTR
        guard descriptor >= 0 else { throw LaunchError(code: errno, step: step, path: path) }
        return descriptor
    }
}
