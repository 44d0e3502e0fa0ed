import Foundation
import Synchronization
import TrellisDatabase

/// A fresh directory for one test, removed (with everything in it) when the test ends.
func withTemporaryDirectory<T>(_ body: (String) async throws -> T) async throws -> T {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("trellis-db-tests-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try await body(path)
}

/// A database file in a fresh directory, for one test.
func withDatabase<T>(_ body: (SQLiteDatabase) async throws -> T) async throws -> T {
    try await withTemporaryDirectory { directory in
        let database = try SQLiteDatabase(path: directory + "/trellis.db")
        defer { try? database.close() }
        return try await body(database)
    }
}

/// A flag one task raises and another waits for.
final class Flag: Sendable {
    private let raised = Mutex(false)

    func raise() { raised.withLock { $0 = true } }

    var isRaised: Bool { raised.withLock { $0 } }

    func wait(timeout: Duration = .seconds(10)) async throws {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while !isRaised {
            guard ContinuousClock.now < deadline else { throw FlagTimeout() }
            try await Task.sleep(for: .milliseconds(2))
        }
    }
}

struct FlagTimeout: Error {}
