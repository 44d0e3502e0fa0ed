internal import GRDB
public import TrellisCore
internal import TrellisJSON

/// The kernel's ``ConfigStore`` in the database file: runtime config versions survive restarts.
///
/// Versions live in `trellis_config_versions(system, number, config, actor, reason, created_at)`,
/// `config` as JSON text and `created_at` in milliseconds since 1970.
///
/// ```swift
/// let kernel = try Kernel(systems: systems, file: file, store: SQLiteConfigStore(database: database))
/// ```
public struct SQLiteConfigStore: ConfigStore {
    public let database: SQLiteDatabase

    public init(database: SQLiteDatabase) {
        self.database = database
    }

    public func versions(of systemID: String) async throws -> [ConfigVersion] {
        try await database.pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT number, config, actor, reason, created_at FROM trellis_config_versions WHERE system = ? ORDER BY number",
                arguments: [systemID]
            ).map { row in
                let config: String = row[1]
                return ConfigVersion(
                    systemID: systemID, number: row[0], config: try JSONValue(parsing: config), actor: row[2], reason: row[3],
                    createdAt: Timestamp.date(row[4]))
            }
        }
    }

    /// Stores `version` if its number is one more than the latest stored, checked in the same
    /// transaction as the write, so two writers (two processes) cannot both take a number.
    ///
    /// - Throws: ``ConfigChangeError`` with code `conflict` otherwise.
    public func append(_ version: ConfigVersion) async throws {
        let expected = try await database.pool.write { db -> Int? in
            let latest =
                try Int.fetchOne(
                    db, sql: "SELECT MAX(number) FROM trellis_config_versions WHERE system = ?", arguments: [version.systemID]) ?? 0
            guard version.number == latest + 1 else { return latest + 1 }
            try db.execute(
                sql: """
                    INSERT INTO trellis_config_versions (system, number, config, actor, reason, created_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    version.systemID, version.number, version.config.serialized(), version.actor, version.reason,
                    Timestamp.milliseconds(version.createdAt),
                ])
            return nil
        }
        if let expected { throw ConfigChangeError.conflict(version, expected: expected) }
    }
}
