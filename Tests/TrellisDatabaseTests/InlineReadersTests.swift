import Foundation
import GRDB
import Testing
import TrellisJSON
import TrellisStorageCapability

@testable import TrellisDatabase

/// Point reads on the caller's thread, and when they are not made there.
@Suite struct InlineReadersTests {
    @Test func pointReadsRunOnTheCallersThreadAndSeeTheLatestWrite() async throws {
        try await withDatabase { database in
            let items = try await SQLiteDocumentStore(database: database).collection("items", indexes: [])
            let inserted = try await items.insert(["n": 1], id: "one")
            #expect(try readsOnThisThread(database))
            #expect(try await items.get("one") == inserted)
            let updated = try await items.update("one", expectedVersion: 1) { _ in ["n": 2] }
            #expect(try await items.get("one") == updated)
            #expect(try await items.get("missing") == nil)
            // Whether a read here took more than 2 ms (and paused inline reads) depends on how
            // busy the machine is; the pause has its own test below.
        }
    }

    @Test func aSlowReadPausesInlineReadsAndReadsGoOnOnTheReaderThreads() async throws {
        try await withDatabase { database in
            let items = try await SQLiteDocumentStore(database: database).collection("items", indexes: [])
            let inserted = try await items.insert(["n": 1], id: "one")
            let value = try database.inlineReaders.read { _ -> Int in
                usleep(5_000)  // longer than InlineReaders.slowRead: as if the disk answered
                return 7
            }
            #expect(value == 7, "the slow read itself is answered")
            #expect(database.inlineReaders.isPaused)
            #expect(try database.inlineReaders.read { _ in 1 } == nil, "paused: the caller reads elsewhere")
            #expect(try await items.get("one") == inserted)
        }
    }

    @Test func aBusyDatabaseSendsTheReadToTheReaderThreadsInsteadOfWaiting() async throws {
        try await withDatabase { database in
            let busy = try database.inlineReaders.read { _ -> Int in
                throw DatabaseError(resultCode: .SQLITE_BUSY, message: "database is locked")
            }
            #expect(busy == nil)
            #expect(database.inlineReaders.isPaused)
        }
    }

    @Test func otherErrorsAreTheReadsOwn() async throws {
        try await withDatabase { database in
            #expect(throws: DatabaseError.self) {
                _ = try database.inlineReaders.read { db in try Int.fetchOne(db, sql: "SELECT * FROM nowhere") }
            }
            #expect(!database.inlineReaders.isPaused)
        }
    }

    @Test func afterCloseReadsFail() async throws {
        try await withTemporaryDirectory { directory in
            let database = try SQLiteDatabase(path: directory + "/trellis.db")
            let items = try await SQLiteDocumentStore(database: database).collection("items", indexes: [])
            _ = try await items.insert(["n": 1], id: "one")
            _ = try await items.get("one")
            try database.close()
            #expect(try database.inlineReaders.read { _ in 1 } == nil)
            await #expect(throws: (any Error).self) { _ = try await items.get("one") }
        }
    }
}

/// Whether an inline read runs on the thread that asks for it.
private func readsOnThisThread(_ database: SQLiteDatabase) throws -> Bool {
    let caller = pthread_self()
    guard let reader = try database.inlineReaders.read({ _ in pthread_self() }) else { return false }
    return pthread_equal(reader, caller) != 0
}
