import Foundation
import Testing
import TrellisDatabase
import TrellisStorageCapability
import TrellisTesting

@Suite struct ConcurrencyTests {
    /// Two pools on one file (two writer connections, as two processes would have) with four
    /// tasks each: SQLite's locks plus the busy timeout let every write land.
    @Test func concurrentInsertsFromEightTasksAllLand() async throws {
        try await withTemporaryDirectory { directory in
            let databases = [try SQLiteDatabase(path: directory + "/trellis.db"), try SQLiteDatabase(path: directory + "/trellis.db")]
            var collections: [any DocumentCollection] = []
            for database in databases {
                collections.append(
                    try await SQLiteDocumentStore(database: database).collection("items", indexes: [IndexedField("task", kind: .integer)]))
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for task in 0..<8 {
                    let items = collections[task % 2]
                    group.addTask {
                        for n in 0..<25 {
                            _ = try await items.insert(
                                ["task": .number(.integer(Int64(task))), "n": .number(.integer(Int64(n)))], id: "t\(task)-\(n)")
                        }
                    }
                }
                try await group.waitForAll()
            }
            let all = try await collections[0].query(DocumentQuery(limit: 1000))
            #expect(all.documents.count == 200)
            for task in 0..<8 {
                let mine = try await collections[1].query(
                    DocumentQuery(filters: [.init("task", .equal, .number(.integer(Int64(task))))], limit: 1000))
                #expect(Set(mine.documents.map(\.id)) == Set((0..<25).map { "t\(task)-\($0)" }))
            }
        }
    }

    /// Read-modify-write in one transaction: 8 tasks × 10 increments through two pools lose none.
    @Test func concurrentUpdatesAreAtomic() async throws {
        try await withTemporaryDirectory { directory in
            let databases = [try SQLiteDatabase(path: directory + "/trellis.db"), try SQLiteDatabase(path: directory + "/trellis.db")]
            let first = try await SQLiteDocumentStore(database: databases[0]).collection("counters", indexes: [])
            let second = try await SQLiteDocumentStore(database: databases[1]).collection("counters", indexes: [])
            _ = try await first.insert(["count": 0], id: "hits")
            try await withThrowingTaskGroup(of: Void.self) { group in
                for task in 0..<8 {
                    let counters = task.isMultiple(of: 2) ? first : second
                    group.addTask {
                        for _ in 0..<10 {
                            _ = try await counters.update("hits", expectedVersion: nil) { body in
                                ["count": .number(.integer(Int64(body["count"]!.intValue! + 1)))]
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            let final = try #require(try await first.get("hits"))
            #expect(final.body == ["count": 80])
            #expect(final.version == 81)
        }
    }

    /// A writer gives up after the busy timeout while another connection holds the write lock,
    /// and waits it out once the timeout is raised.
    @Test func theBusyTimeoutBoundsTheWaitForALock() async throws {
        try await withTemporaryDirectory { directory in
            let holder = try SQLiteDatabase(path: directory + "/trellis.db")
            let waiter = try SQLiteDatabase(path: directory + "/trellis.db", busyTimeout: .milliseconds(50))
            let held = try await SQLiteDocumentStore(database: holder).collection("items", indexes: [])
            let waiting = try await SQLiteDocumentStore(database: waiter).collection("items", indexes: [])
            _ = try await held.insert(["n": 0], id: "lock")

            let locked = Flag()
            // The transform runs inside the holder's write transaction: the lock is held while it sleeps.
            let holding = Task {
                try await held.update("lock", expectedVersion: nil) { body in
                    locked.raise()
                    Thread.sleep(forTimeInterval: 1.5)
                    return body
                }
            }
            try await locked.wait()
            let start = StallWatch.shared.now
            let error = await #expect(throws: (any Error).self) { try await waiting.insert(["n": 1], id: "early") }
            #expect(StallWatch.shared.runningTime(since: start) < .milliseconds(1000))
            #expect("\(error.map { "\($0)" } ?? "")".contains("database is locked"))

            waiter.setBusyTimeout(.seconds(30))
            _ = try await waiting.insert(["n": 2], id: "patient")
            _ = try await holding.value
            #expect(try await waiting.get("patient") != nil)
            #expect(try await waiting.get("early") == nil)
        }
    }
}
