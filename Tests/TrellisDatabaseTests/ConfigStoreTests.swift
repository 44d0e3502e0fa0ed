import Foundation
import Testing
import TrellisCore
import TrellisDatabase
import TrellisJSON
import TrellisTesting

@Suite struct ConfigStoreTests {
    static func version(_ number: Int, system: String = "http", port: Int = 8080) -> ConfigVersion {
        ConfigVersion(
            systemID: system, number: number, config: ["port": JSONValue(port), "host": "127.0.0.1"], actor: "admin",
            reason: "change \(number)", createdAt: Date(timeIntervalSince1970: 1_700_000_000.123 + Double(number)))
    }

    @Test func appendAndReadVersionsPerSystem() async throws {
        try await withDatabase { database in
            let store = SQLiteConfigStore(database: database)
            #expect(try await store.versions(of: "http") == [])
            try await store.append(Self.version(1))
            try await store.append(Self.version(2, port: 9090))
            try await store.append(Self.version(1, system: "jobs"))
            #expect(try await store.versions(of: "http") == [Self.version(1), Self.version(2, port: 9090)])
            #expect(try await store.latest(of: "http") == Self.version(2, port: 9090))
            #expect(try await store.versions(of: "jobs") == [Self.version(1, system: "jobs")])
            // Key order of the stored config is kept.
            #expect(try await store.versions(of: "http").first?.config.serialized() == #"{"port":8080,"host":"127.0.0.1"}"#)
        }
    }

    @Test func anOutOfSequenceNumberIsAConflictLikeTheKernelsOwnStore() async throws {
        try await withDatabase { database in
            let store = SQLiteConfigStore(database: database)
            let reference = InMemoryConfigStore()
            for number in 1...2 {
                try await store.append(Self.version(number))
                try await reference.append(Self.version(number))
            }
            for number in [2, 5, 1] {
                let error = await #expect(throws: ConfigChangeError.self) { try await store.append(Self.version(number)) }
                let expected = await #expect(throws: ConfigChangeError.self) { try await reference.append(Self.version(number)) }
                #expect(error == expected)
                #expect(error?.code == .conflict)
                #expect(error?.message == "config version \(number) of http conflicts with the stored history; expected 3")
            }
            #expect(try await store.versions(of: "http").count == 2)
            let first = await #expect(throws: ConfigChangeError.self) { try await store.append(Self.version(2, system: "jobs")) }
            #expect(first?.message == "config version 2 of jobs conflicts with the stored history; expected 1")
        }
    }

    @Test func twoWritersCannotTakeTheSameNumber() async throws {
        try await withTemporaryDirectory { directory in
            let first = try SQLiteDatabase(path: directory + "/trellis.db")
            let second = try SQLiteDatabase(path: directory + "/trellis.db")
            let stores = [SQLiteConfigStore(database: first), SQLiteConfigStore(database: second)]
            let outcomes = await withTaskGroup(of: Bool.self) { group in
                for round in 0..<10 {
                    for store in stores {
                        group.addTask { (try? await store.append(Self.version(round + 1, port: round))) != nil }
                    }
                }
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            let stored = try await stores[0].versions(of: "http")
            #expect(stored.map(\.number) == Array(1...stored.count))
            #expect(outcomes.filter { $0 }.count == stored.count)
        }
    }

    @Test func versionsSurviveReopeningTheFile() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/trellis.db"
            do {
                let database = try SQLiteDatabase(path: path)
                try await SQLiteConfigStore(database: database).append(Self.version(1))
                try await SQLiteConfigStore(database: database).append(Self.version(2))
                try database.close()
            }
            let database = try SQLiteDatabase(path: path)
            defer { try? database.close() }
            let store = SQLiteConfigStore(database: database)
            #expect(try await store.versions(of: "http") == [Self.version(1), Self.version(2)])
            try await store.append(Self.version(3))
            #expect(try await store.latest(of: "http")?.number == 3)
        }
    }

    @Test func aRuntimeChangeSurvivesARestartOfTheKernel() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/trellis.db"
            do {
                let database = try SQLiteDatabase(path: path)
                let harness = try SystemHarness(systems: [DatabaseSystem(database: database)], store: SQLiteConfigStore(database: database))
                try await harness.start()
                let preview = try await harness.kernel.propose("database", JSONPatch([.replace(path: "/busy_timeout_ms", value: 1234)]))
                try await harness.kernel.apply(preview, actor: "admin", reason: "slow disk")
                #expect(database.busyTimeout == .milliseconds(1234))
                try await harness.stop()
                try database.close()
            }
            let database = try SQLiteDatabase(path: path)
            defer { try? database.close() }
            #expect(database.busyTimeout == .milliseconds(5000))
            let harness = try SystemHarness(systems: [DatabaseSystem(database: database)], store: SQLiteConfigStore(database: database))
            try await harness.start()
            #expect(database.busyTimeout == .milliseconds(1234))
            let history = try await harness.kernel.history(of: "database")
            #expect(history.map(\.number) == [1])
            #expect(history.map(\.actor) == ["admin"])
            #expect(history.first?.config == ["busy_timeout_ms": 1234])
            try await harness.stop()
        }
    }
}
