import Foundation
import Synchronization
import Testing
import TrellisDatabase

/// The reader threads on their own, with numbered stand-ins for connections.
@Suite struct ReaderPoolTests {
    /// Numbers the connections a pool opens and records which it closed.
    final class Connections: Sendable {
        private let state = Mutex((opened: 0, closed: [Int](), inUse: Set<Int>(), overlapped: false))

        func open() -> Int {
            state.withLock {
                $0.opened += 1
                return $0.opened
            }
        }
        func close(_ connection: Int) { state.withLock { $0.closed.append(connection) } }
        var opened: Int { state.withLock { $0.opened } }
        var closed: [Int] { state.withLock { $0.closed.sorted() } }

        /// Marks `connection` in use while `body` runs; records two jobs on one connection at once.
        func use<T>(_ connection: Int, _ body: () throws -> T) rethrows -> T {
            state.withLock { if !$0.inUse.insert(connection).inserted { $0.overlapped = true } }
            defer { state.withLock { _ = $0.inUse.remove(connection) } }
            return try body()
        }
        var overlapped: Bool { state.withLock { $0.overlapped } }
    }

    /// Counts jobs that started, for a test to wait on.
    final class Started: Sendable {
        private let count = Mutex(0)
        func add() { count.withLock { $0 += 1 } }
        func wait(for expected: Int) async throws {
            let deadline = ContinuousClock.now.advanced(by: .seconds(10))
            while count.withLock({ $0 }) < expected {
                guard ContinuousClock.now < deadline else { throw FlagTimeout() }
                try await Task.sleep(for: .milliseconds(2))
            }
        }
    }

    struct Broken: Error, Equatable {}

    @Test func eachThreadOpensOneConnectionOnItsFirstJobAndUsesItAlone() async throws {
        let connections = Connections()
        let pool = ReaderPool(label: "test.reader", threads: 3) {
            connections.open()
        } close: {
            connections.close($0)
        }
        #expect(connections.opened == 0)
        let used = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<300 {
                group.addTask {
                    try await pool.run { connection in
                        connections.use(connection) {
                            for _ in 0..<1000 { _ = connection.hashValue }
                            return connection
                        }
                    }
                }
            }
            return try await group.reduce(into: Set<Int>()) { $0.insert($1) }
        }
        #expect(connections.opened <= 3)
        #expect(used.count == connections.opened && used.isSubset(of: [1, 2, 3]))
        #expect(!connections.overlapped)
        pool.close()
        #expect(connections.closed == Array(1...connections.opened))
    }

    @Test func whenEveryThreadIsBusyAJobWaitsForTheFirstThatFrees() async throws {
        let pool = ReaderPool(label: "test.reader", threads: 2) { 0 }
        defer { pool.close() }
        let release = DispatchSemaphore(value: 0)
        let started = Started()
        let holders = (0..<2).map { _ in
            Task {
                try await pool.run { _ in
                    started.add()
                    release.wait()
                    return "held"
                }
            }
        }
        try await started.wait(for: 2)
        let ran = Flag()
        let waiting = Task {
            try await pool.run { _ in
                ran.raise()
                return "ran"
            }
        }
        try await Task.sleep(for: .milliseconds(100))
        #expect(!ran.isRaised, "both threads are held, so the third job waits")
        release.signal()
        #expect(try await waiting.value == "ran")
        release.signal()
        for holder in holders { #expect(try await holder.value == "held") }
    }

    @Test func anErrorReachesTheCallerAndTheThreadGoesOn() async throws {
        let connections = Connections()
        let pool = ReaderPool(label: "test.reader", threads: 1) { connections.open() }
        defer { pool.close() }
        await #expect(throws: Broken()) { try await pool.run { _ -> Int in throw Broken() } }
        #expect(try await pool.run { $0 } == 1)
        #expect(connections.opened == 1)
    }

    @Test func aConnectionThatFailsToOpenFailsThatJobAndIsOpenedAgainForTheNext() async throws {
        let attempts = Connections()
        let pool = ReaderPool(label: "test.reader", threads: 1) { () throws -> String in
            let attempt = attempts.open()
            if attempt == 1 { throw Broken() }
            return "connection \(attempt)"
        }
        defer { pool.close() }
        await #expect(throws: Broken()) { try await pool.run { $0 } }
        #expect(try await pool.run { $0 } == "connection 2")
        #expect(try await pool.run { $0 } == "connection 2")
    }

    @Test func closingFailsWaitingJobsFinishesRunningOnesAndClosesEveryConnection() async throws {
        let connections = Connections()
        let pool = ReaderPool(label: "test.reader", threads: 1) {
            connections.open()
        } close: {
            connections.close($0)
        }
        let release = DispatchSemaphore(value: 0)
        let started = Started()
        let running = Task {
            try await pool.run { connection in
                started.add()
                release.wait()
                return connection
            }
        }
        try await started.wait(for: 1)
        let waiting = Task { try await pool.run { $0 } }
        try await Task.sleep(for: .milliseconds(50))

        // close() waits for the running job, so it runs on a thread of its own here.
        let closed = Flag()
        Thread.detachNewThread {
            pool.close()
            closed.raise()
        }
        await #expect(throws: ReaderPoolError.closed) { try await waiting.value }
        #expect(!closed.isRaised, "close waits for the job that is running")
        #expect(connections.closed.isEmpty)
        release.signal()
        #expect(try await running.value == 1)
        try await closed.wait()
        #expect(connections.closed == [1])

        await #expect(throws: ReaderPoolError.closed) { try await pool.run { $0 } }
        pool.close()
        #expect(connections.closed == [1])
    }

    @Test func droppingAPoolStopsItsThreadsAndClosesTheirConnections() async throws {
        let connections = Connections()
        var pool: ReaderPool<Int>? = ReaderPool(label: "test.reader", threads: 2) {
            connections.open()
        } close: {
            connections.close($0)
        }
        #expect(try await pool?.run { $0 } == 1)
        pool = nil
        let deadline = ContinuousClock.now.advanced(by: .seconds(10))
        while connections.closed != [1] {
            #expect(ContinuousClock.now < deadline)
            if ContinuousClock.now >= deadline { break }
            try await Task.sleep(for: .milliseconds(2))
        }
    }
}
