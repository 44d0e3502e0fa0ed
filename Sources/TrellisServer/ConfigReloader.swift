internal import Foundation
internal import ServiceLifecycle
internal import UnixSignals

/// Reloads trellis.yaml on SIGHUP and, with `--watch`, when the file changes.
struct ConfigReloader: Service {
    let server: TrellisServer
    /// SIGHUP, trapped before anything starts: SIGHUP's default action ends the process, so a
    /// reload signal sent as soon as the banner appears must already find it trapped. Signals
    /// that arrive while systems start wait in the sequence's buffer.
    let hangups: UnixSignalsSequence?

    /// Traps SIGHUP when there is a file to reload.
    static func make(server: TrellisServer) async -> ConfigReloader {
        let hangups = server.options.resolvedConfigPath == nil ? nil : await UnixSignalsSequence(trapping: .sighup)
        return ConfigReloader(server: server, hangups: hangups)
    }

    func run() async throws {
        try await server.kernel.waitUntilRunning()
        guard server.options.resolvedConfigPath != nil else { return }
        await withDiscardingTaskGroup { group in
            if let hangups {
                group.addTask {
                    for await _ in hangups.cancelOnGracefulShutdown() {
                        try? await server.reload()
                    }
                }
            }
            if server.options.watch {
                group.addTask { await watchFile() }
            }
        }
    }

    /// Polls the file's modification time: simple, portable, and cheap at this rate.
    private func watchFile() async {
        guard let path = server.options.resolvedConfigPath else { return }
        // Compared with the time of the file the server was set up with, so an edit made while
        // the systems were starting is not missed.
        var last = server.configModificationDate
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            try? await Task.sleep(for: .milliseconds(300))
            let now = Self.modificationDate(path)
            if now != last {
                last = now
                try? await server.reload()
            }
        }
    }

    static func modificationDate(_ path: String) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
    }
}
