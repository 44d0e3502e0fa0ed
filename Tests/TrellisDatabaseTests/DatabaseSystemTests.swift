import Testing
import TrellisCore
import TrellisDatabase
import TrellisJSON
import TrellisStorageCapability
import TrellisTesting

/// A system that keeps its data in the database, as built-in systems will.
private struct NotesSystem: System {
    let migrations: [Migration]

    var manifest: SystemManifest {
        SystemManifest(id: "notes", version: "1.0.0", summary: "Notes, for tests", consumes: [AnyCapabilityKey(documentStoreKey)])
    }

    func start(_ context: SystemContext) async throws {
        try await context.capability(documentStoreKey).migrate(system: context.systemID, migrations)
    }
}

@Suite struct DatabaseSystemTests {
    @Test func manifest() async throws {
        try await withDatabase { database in
            let manifest = DatabaseSystem(database: database).manifest
            #expect(manifest.id == "database")
            #expect(manifest.version == "1.0.0")
            #expect(manifest.critical)
            #expect(manifest.provides == [AnyCapabilityKey(documentStoreKey)])
            #expect(manifest.defaults == ["busy_timeout_ms": 5000])
            #expect(manifest.configSchema["additionalProperties"] == false)
        }
    }

    @Test func providesTheDocumentStoreAndReportsHealth() async throws {
        try await withDatabase { database in
            let harness = try SystemHarness(systems: [DatabaseSystem(database: database)])
            try await harness.start()
            let store = try harness.kernel.capability(documentStoreKey)
            let items = try await store.collection("items", indexes: [IndexedField("status")])
            let written = try await items.insert(["status": "open"], id: "a")
            #expect(try await items.get("a") == written)

            let health = await harness.kernel.health()
            let report = try #require(health.systems.first { $0.id == "database" }?.report)
            #expect(
                report
                    == HealthReport(
                        .up, message: "SQLite at \(database.path) answers",
                        details: ["path": .string(database.path), "busy_timeout_ms": 5000]))
            try await harness.stop()
            #expect(await harness.kernel.state(of: "database") == .stopped)
            // Stopping the system leaves the file open for the composition root.
            #expect(try await items.get("a") == written)
        }
    }

    @Test func healthIsDownWhenTheDatabaseDoesNotAnswer() async throws {
        try await withDatabase { database in
            let harness = try SystemHarness(systems: [DatabaseSystem(database: database)])
            try await harness.start()
            try database.close()
            let health = await harness.kernel.health()
            let report = try #require(health.systems.first { $0.id == "database" }?.report)
            #expect(report.status == .down)
            #expect(report.message?.hasPrefix("SQLite at \(database.path) does not answer: ") == true)
            #expect(health.status == .down)
            try await harness.stop()
        }
    }

    @Test func passesTheCompatTestAndAppliesBusyTimeoutChanges() async throws {
        try await withDatabase { database in
            try await SystemCompatTest.run(DatabaseSystem(database: database))
            try await SystemCompatTest.run(
                DatabaseSystem(database: database), config: ["busy_timeout_ms": 100], reconfigured: ["busy_timeout_ms": 250])
            #expect(database.busyTimeout == .milliseconds(250))
        }
    }

    @Test func aNegativeBusyTimeoutIsRefusedAtBoot() async throws {
        try await withDatabase { database in
            let harness = try SystemHarness(systems: [DatabaseSystem(database: database)], config: ["database": ["busy_timeout_ms": -1]])
            let error = await #expect(throws: BootError.self) { try await harness.start() }
            #expect(error?.problems.count == 1)
            #expect(
                error?.problems.first?.message == "trellis.yaml: /systems/database/config/busy_timeout_ms: -1 is less than the minimum of 0"
            )
        }
    }

    @Test func consumersMigrateThroughTheCapabilityInTheirStart() async throws {
        try await withDatabase { database in
            let good = NotesSystem(migrations: [Migration("0001-create", sql: "CREATE TABLE notes_entries (text TEXT)")])
            let harness = try SystemHarness(systems: [DatabaseSystem(database: database), good])
            try await harness.start()
            #expect(await harness.kernel.state(of: "notes") == .running)
            #expect(try await SQLiteDocumentStore(database: database).appliedMigrations(system: "notes") == ["0001-create"])
            try await harness.stop()
        }
    }

    @Test func aFailedMigrationFailsThatSystemsStartWithItsName() async throws {
        try await withDatabase { database in
            let broken = NotesSystem(migrations: [
                Migration("0001-create", sql: "CREATE TABLE notes_entries (text TEXT)"),
                Migration("0002-broken", sql: "INSERT INTO notes_missing VALUES (1)"),
            ])
            let harness = try SystemHarness(systems: [DatabaseSystem(database: database), broken])
            try await harness.start()
            #expect(await harness.kernel.state(of: "database") == .running)
            #expect(
                await harness.kernel.state(of: "notes")
                    == .failed(
                        reason: "failed to start: migration notes/0002-broken failed and was rolled back: no such table: notes_missing"))
            #expect(try await SQLiteDocumentStore(database: database).appliedMigrations(system: "notes") == ["0001-create"])
            try await harness.stop()
        }
    }
}
