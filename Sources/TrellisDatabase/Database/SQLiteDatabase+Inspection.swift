internal import Foundation
internal import GRDB

extension SQLiteDatabase {
    /// Runs a read-only statement and returns every row's values as text (`nil` for NULL):
    /// for tests and diagnostics that look at tables, indexes and query plans.
    package func rows(_ sql: String, _ arguments: [String] = []) async throws -> [[String?]] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map { row in
                row.databaseValues.map { value in
                    switch value.storage {
                    case .null: nil
                    case .int64(let integer): String(integer)
                    case .double(let double): String(double)
                    case .string(let string): string
                    case .blob(let data): data.map { String(format: "%02x", $0) }.joined()
                    }
                }
            }
        }
    }
}
