internal import GRDB
public import TrellisStorageCapability

extension SQLiteDocumentStore {
    /// Runs `system`'s migrations that are not recorded in `trellis_migrations` yet, in order,
    /// each in its own transaction together with its record.
    ///
    /// - Throws: ``StorageError/migrationFailed(system:name:reason:)`` naming the first migration
    ///   that fails (rolled back; the ones after it do not run, the ones before it stay), or
    ///   whose name appears twice in `migrations`.
    public func migrate(system: String, _ migrations: [Migration]) async throws {
        var names: Set<String> = []
        for migration in migrations where !names.insert(migration.name).inserted {
            throw StorageError.migrationFailed(
                system: system, name: migration.name, reason: "the name appears twice in the list; give every migration its own name")
        }
        let applied = Set(try await appliedMigrations(system: system))
        for migration in migrations where !applied.contains(migration.name) {
            do {
                try await database.pool.write { db in
                    // Checked again inside the transaction: another process may have run it meanwhile.
                    let done = try Bool.fetchOne(
                        db, sql: "SELECT EXISTS (SELECT 1 FROM trellis_migrations WHERE system = ? AND name = ?)",
                        arguments: [system, migration.name])
                    guard done != true else { return }
                    try db.execute(sql: migration.sql)
                    try db.execute(
                        sql: "INSERT INTO trellis_migrations (system, name, applied_at) VALUES (?, ?, ?)",
                        arguments: [system, migration.name, Timestamp.now()])
                }
            } catch let error as DatabaseError {
                throw StorageError.migrationFailed(system: system, name: migration.name, reason: error.message ?? "\(error)")
            }
        }
    }

    /// The names of `system`'s applied migrations, in the order they ran.
    public func appliedMigrations(system: String) async throws -> [String] {
        try await database.pool.read { db in
            try String.fetchAll(
                db, sql: "SELECT name FROM trellis_migrations WHERE system = ? ORDER BY applied_at, rowid", arguments: [system])
        }
    }
}
