import Foundation
import Testing
import TrellisTesting

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
        defer {
            try? FileManager.default.removeItem(at: outputURL)
            try? FileManager.default.removeItem(at: errorURL)
        }
        // ChildProcess (posix_spawn), not Foundation's Process, whose run() can crash the test run on Linux
        // (swift-corelibs-foundation#5472).
        let child = try ChildProcess(
            executable: url.path, arguments: arguments, workingDirectory: directory.url.path, standardOutput: outputURL.path,
            standardError: errorURL.path)
        let termination = await child.waitForExit()
        return CommandOutput(
            status: termination.status,
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
