import Foundation
import Testing

/// What one run of the `trellis` binary did.
struct CommandOutput: Sendable {
    let status: Int32
    let standardOutput: String
    let standardError: String

    /// Standard output split into lines, without the empty string after the final newline.
    var outputLines: [String] {
        standardOutput.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }
}

/// The `trellis` executable SwiftPM built into the same products folder as this test
/// bundle (the test target depends on it, so it is always built first).
enum TrellisBinary {
    static let url: URL = productsDirectory.appendingPathComponent("trellis")

    /// Runs `trellis ARGUMENTS` in `directory`, so tests can name files by relative path, as a user would.
    static func run(_ arguments: [String], in directory: TemporaryDirectory) async throws -> CommandOutput {
        guard FileManager.default.isExecutableFile(atPath: url.path) else {
            throw BinaryNotFound(path: url.path)
        }
        // Output goes to files rather than pipes, so a large output can never fill a pipe and stall the child.
        let captureName = ".trellis-\(UUID().uuidString)"
        let outputURL = directory.url.appendingPathComponent("\(captureName).out")
        let errorURL = directory.url.appendingPathComponent("\(captureName).err")
        try Data().write(to: outputURL)
        try Data().write(to: errorURL)
        let outputHandle = try FileHandle(forWritingTo: outputURL)
        let errorHandle = try FileHandle(forWritingTo: errorURL)
        defer {
            try? outputHandle.close()
            try? errorHandle.close()
            try? FileManager.default.removeItem(at: outputURL)
            try? FileManager.default.removeItem(at: errorURL)
        }

        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        process.currentDirectoryURL = directory.url
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = outputHandle
        process.standardError = errorHandle
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            process.terminationHandler = { _ in continuation.resume() }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        return CommandOutput(
            status: process.terminationStatus,
            standardOutput: String(decoding: try Data(contentsOf: outputURL), as: UTF8.self),
            standardError: String(decoding: try Data(contentsOf: errorURL), as: UTF8.self)
        )
    }

    /// Where SwiftPM puts the products: on Linux the test runner itself lives there; on
    /// macOS the runner is Xcode's `xctest` tool, and the products folder holds the `.xctest` bundle.
    private static var productsDirectory: URL {
        #if os(macOS)
            for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
                return bundle.bundleURL.deletingLastPathComponent()
            }
        #endif
        return Bundle.main.bundleURL
    }

    struct BinaryNotFound: Error, CustomStringConvertible {
        let path: String
        var description: String { "no trellis executable at \(path); build the package's products first" }
    }
}
