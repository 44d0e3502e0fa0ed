#if canImport(Glibc)
    internal import Glibc
#elseif canImport(Darwin)
    internal import Darwin
#endif

extension ChildProcess {
    /// Starts the child with `posix_spawn`: `standardStreams` (descriptors for 0, 1 and 2) copied
    /// in, every other descriptor closed, a new process group, default signal handling.
    static func spawn(
        _ executable: String, arguments: [String], workingDirectory: String?, environment: [String: String], standardStreams: [Int32]
    ) throws(LaunchError) -> pid_t {
        #if canImport(Darwin)
            var actions: posix_spawn_file_actions_t? = nil
            var attributes: posix_spawnattr_t? = nil
        #else
            var actions = posix_spawn_file_actions_t()
            var attributes = posix_spawnattr_t()
        #endif
        try check(posix_spawn_file_actions_init(&actions), "prepare to start", executable)
        defer { posix_spawn_file_actions_destroy(&actions) }
        try check(posix_spawnattr_init(&attributes), "prepare to start", executable)
        defer { posix_spawnattr_destroy(&attributes) }

        for (target, source) in standardStreams.enumerated() {
            try check(posix_spawn_file_actions_adddup2(&actions, source, Int32(target)), "redirect a standard stream of", executable)
        }
        if let workingDirectory {
            #if canImport(Darwin)
                try check(posix_spawn_file_actions_addchdir_np(&actions, workingDirectory), "change to", workingDirectory)
            #else
                let addchdir: GNUExtension.AddChdir = try GNUExtension.function("posix_spawn_file_actions_addchdir_np")
                try check(addchdir(&actions, workingDirectory), "change to", workingDirectory)
            #endif
        }
        var flags = POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF
        #if canImport(Darwin)
            flags |= POSIX_SPAWN_CLOEXEC_DEFAULT
        #else
            // Linux has no POSIX_SPAWN_CLOEXEC_DEFAULT: close everything above stderr in the child
            // (glibc 2.34+, close_range), after the dup2 actions above have put 0, 1 and 2 in place.
            let addclosefrom: GNUExtension.AddClosefrom = try GNUExtension.function("posix_spawn_file_actions_addclosefrom_np")
            try check(addclosefrom(&actions, 3), "close inherited descriptors for", executable)
        #endif
        try check(posix_spawnattr_setflags(&attributes, Int16(flags)), "prepare to start", executable)
        // Process group 0: the child's own pid, so the child leads a new group, as `Process` does.
        try check(posix_spawnattr_setpgroup(&attributes, 0), "prepare to start", executable)
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        try check(posix_spawnattr_setsigmask(&attributes, &noSignals), "prepare to start", executable)
        var everySignal = sigset_t()
        sigfillset(&everySignal)
        // Their actions cannot be changed, and some systems refuse to try.
        sigdelset(&everySignal, SIGKILL)
        sigdelset(&everySignal, SIGSTOP)
        try check(posix_spawnattr_setsigdefault(&attributes, &everySignal), "prepare to start", executable)

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for variable in envp { free(variable) } }

        var pid = pid_t()
        // A missing working directory fails here too, so the message names both.
        let started = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        try check(started, "start", workingDirectory.map { "\(executable) in \($0)" } ?? executable)
        return pid
    }

    /// Throws for a `posix_spawn…` result, which is an `errno` value itself rather than -1.
    private static func check(_ result: Int32, _ step: String, _ path: String) throws(LaunchError) {
        guard result == 0 else { throw LaunchError(code: result, step: step, path: path) }
    }
}

#if !canImport(Darwin)
    /// glibc's spawn extensions, which Swift's Glibc module does not show (spawn.h declares them only
    /// under `_GNU_SOURCE`), looked up in the C library already loaded.
    private enum GNUExtension {
        /// `posix_spawn_file_actions_addchdir_np`, glibc 2.29+.
        typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
        /// `posix_spawn_file_actions_addclosefrom_np`, glibc 2.34+.
        typealias AddClosefrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

        static func function<Function>(_ name: String) throws(ChildProcess.LaunchError) -> Function {
            // A nil handle is RTLD_DEFAULT: search every object loaded, libc among them.
            guard let address = dlsym(nil, name) else {
                throw ChildProcess.LaunchError(code: ENOSYS, step: "find (glibc too old?)", path: name)
            }
            return unsafeBitCast(address, to: Function.self)
        }
    }
#endif
