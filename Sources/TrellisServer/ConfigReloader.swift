internal import Foundation
internal import ServiceLifecycle
internal import UnixSignals

/// Reloads trellis.yaml on SIGHUP and, with `--watch`, when the file changes.
struct ConfigReloader: Service {
    let server: TrellisServer

    func run() async throws {
        try await server.kernel.waitUntilRunning()
        guard server.options.resolvedConfigPath != nil else { return }
        await withDiscardingTaskGroup { group in
            group.addTask {
                for await _ in await UnixSignalsSequence(trapping: .sighup).cancelOnGracefulShutdown() {
                    try? await server.reload()
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
        var last = Self.modificationDate(path)
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            try? await Task.sleep(for: .milliseconds(300))
            let now = Self.modificationDate(path)
            if now != last {
                last = now
                try? await server.reload()
            }
        }
    }

    private static func modificationDate(_ path: String) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
    }
}
