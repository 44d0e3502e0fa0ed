import ArgumentParser
import Foundation
import TrellisServer

/// `trellis check`: every problem in trellis.yaml, without starting anything.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate trellis.yaml: YAML syntax, unknown keys, every system's config and every endpoint.",
        discussion: """
            Prints every problem as FILE:LINE: POINTER: message and exits 1 when there is any, \
            0 when the configuration is valid.
            """)

    @Option(name: .long, help: "The configuration file (default: ./trellis.yaml when present).")
    var config: String?

    func run() async throws {
        let path = config ?? (FileManager.default.fileExists(atPath: "trellis.yaml") ? "trellis.yaml" : nil)
        let problems = await ConfigCheck.problems(path: path, environment: ProcessInfo.processInfo.environment)
        guard problems.isEmpty else {
            for problem in problems { print(problem) }
            throw ExitCode.failure
        }
        print("\(path ?? "the default configuration") is valid")
    }
}
