import Testing
import TrellisDatabase
import TrellisStorageCapability

@Suite struct MigrationTests {
    let create = Migration("0001-create", sql: "CREATE TABLE notes_entries (id INTEGER PRIMARY KEY, text TEXT NOT NULL)")
    let seed = Migration(
        "0002-seed", sql: "INSERT INTO notes_entries (text) VALUES ('welcome'); INSERT INTO notes_entries (text) VALUES ('hello')")

    @Test func migrationsRunOnceInOrderAndAreRecorded() async throws {
        try await withDatabase { database in
            let store = SQLiteDocumentStore(database: database)
            try await store.migrate(system: "notes", [create, seed])
            #expect(try await database.rows("SELECT text FROM notes_entries ORDER BY id") == [["welcome"], ["hello"]])
            #expect(try await store.appliedMigrations(system: "notes") == ["0001-create", "0002-seed"])
            let recorded = try await database.rows("SELECT system, name, typeof(applied_at) FROM trellis_migrations ORDER BY rowid")
            #expect(recorded == [["notes", "0001-create", "integer"], ["notes", "0002-seed", "integer"]])

            // A second run changes nothing: the table is not created twice, the rows not inserted twice.
            try await store.migrate(system: "notes", [create, seed])
            #expect(try await database.rows("SELECT count(*) FROM notes_entries") == [["2"]])

            // A new migration appended later runs alone.
            let third = Migration("0003-more", sql: "INSERT INTO notes_entries (text) VALUES ('third')")
            try await store.migrate(system: "notes", [create, seed, third])
            #expect(try await database.rows("SELECT count(*) FROM notes_entries") == [["3"]])
            #expect(try await store.appliedMigrations(system: "notes") == ["0001-create", "0002-seed", "0003-more"])
        }
    }

    @Test func migrationNamesAreNamespacedBySystem() async throws {
        try await withDatabase { database in
            let store = SQLiteDocumentStore(database: database)
            try await store.migrate(system: "billing", [Migration("0001", sql: "CREATE TABLE billing_invoices (id TEXT)")])
            try await store.migrate(system: "crm", [Migration("0001", sql: "CREATE TABLE crm_contacts (id TEXT)")])
            #expect(try await store.appliedMigrations(system: "billing") == ["0001"])
            #expect(try await store.appliedMigrations(system: "crm") == ["0001"])
            let tables = try await database.rows(
                "SELECT name FROM sqlite_master WHERE name IN ('billing_invoices', 'crm_contacts') ORDER BY name")
            #expect(tables == [["billing_invoices"], ["crm_contacts"]])
        }
    }

    @Test func aFailingMigrationRollsBackNamesItselfAndStopsTheRest() async throws {
        try await withDatabase { database in
            let store = SQLiteDocumentStore(database: database)
            let broken = Migration(
                "0002-broken", sql: "CREATE TABLE notes_half (id TEXT); INSERT INTO notes_missing VALUES (1)")
            let after = Migration("0003-after", sql: "CREATE TABLE notes_after (id TEXT)")
            await #expect(
                throws: StorageError.migrationFailed(system: "notes", name: "0002-broken", reason: "no such table: notes_missing")
            ) {
                try await store.migrate(system: "notes", [create, broken, after])
            }
            #expect(
                StorageError.migrationFailed(system: "notes", name: "0002-broken", reason: "no such table: notes_missing").description
                    == "migration notes/0002-broken failed and was rolled back: no such table: notes_missing")
            let tables = try await database.rows(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'notes_%' ORDER BY name")
            #expect(tables == [["notes_entries"]])  // the earlier one stays; the broken one's table is gone
            #expect(try await store.appliedMigrations(system: "notes") == ["0001-create"])

            // Fixed, the run resumes at the migration that failed.
            let fixed = Migration("0002-broken", sql: "CREATE TABLE notes_half (id TEXT)")
            try await store.migrate(system: "notes", [create, fixed, after])
            #expect(try await store.appliedMigrations(system: "notes") == ["0001-create", "0002-broken", "0003-after"])
        }
    }

    @Test func aNameUsedTwiceIsRefusedBeforeAnythingRuns() async throws {
        try await withDatabase { database in
            let store = SQLiteDocumentStore(database: database)
            let error = await #expect(throws: StorageError.self) {
                try await store.migrate(system: "notes", [create, Migration("0001-create", sql: "SELECT 1")])
            }
            #expect(
                error?.description
                    == "migration notes/0001-create failed and was rolled back: the name appears twice in the list; give every migration its own name"
            )
            let applied = try await store.appliedMigrations(system: "notes")
            #expect(applied.isEmpty)
        }
    }
}
