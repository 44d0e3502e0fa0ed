internal import Foundation

/// Times are stored as integer milliseconds since 1970 (UTC): they sort as numbers, compare
/// exactly in keyset cursors, and read back as the same `Date` that was returned on write.
/// In the `sqlite3` shell: `strftime('%Y-%m-%dT%H:%M:%fZ', created_at / 1000.0, 'unixepoch')`.
enum Timestamp {
    static func now() -> Int64 { milliseconds(Date()) }

    static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    static func date(_ milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }
}
