import Foundation
import TrellisJSON

/// Where the shared conformance data lives: `../shared/conformance` beside the repository,
/// or `TRELLIS_CONFORMANCE_DIR` when set.
enum ConformanceSuite {
    static var directory: URL {
        if let override = ProcessInfo.processInfo.environment["TRELLIS_CONFORMANCE_DIR"] {
            return URL(fileURLWithPath: override)
        }
        return URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // TrellisJSONTests
            .deletingLastPathComponent()  // Tests
            .deletingLastPathComponent()  // repository
            .deletingLastPathComponent()  // its parent
            .appendingPathComponent("shared/conformance")
    }

    static func load(_ relativePath: String) throws -> JSONValue {
        let url = directory.appendingPathComponent(relativePath)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: url.path])
        }
        return try JSONValue(parsing: data)
    }

    static func files(in relativeDirectory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent(relativeDirectory).path)
            .filter { $0.hasSuffix(".json") }
            .sorted()
            .map { "\(relativeDirectory)/\($0)" }
    }
}
