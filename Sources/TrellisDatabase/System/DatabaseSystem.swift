public import TrellisCore
public import TrellisJSON
internal import TrellisStorageCapability

/// The `database` system: provides the ``DocumentStore`` capability (`storage.documents`) on
/// the SQLite file the composition root opened.
///
/// Config (`systems.database.config`):
/// - `busy_timeout_ms` (integer ≥ 0, default 5000): how long a write waits for another
///   connection's lock before failing; applied at boot and on every reconfigure.
///
/// Systems that store data list `storage.documents` in `consumes` and run their migrations
/// through it in their own `start`; the plan starts this system before them.
///
/// ```swift
/// let database = try SQLiteDatabase(url: "sqlite:trellis.db", dataDirectory: dataDirectory)
/// let kernel = try Kernel(systems: [DatabaseSystem(database: database), …], file: file,
///                         store: SQLiteConfigStore(database: database))
/// ```
///
/// - Important: `stop` leaves the database open: the kernel's config store uses the same file
///   until the kernel is done. The composition root closes it afterwards.
public struct DatabaseSystem: Reconfigurable {
    public let database: SQLiteDatabase
    private let store: SQLiteDocumentStore

    public init(database: SQLiteDatabase) {
        self.database = database
        self.store = SQLiteDocumentStore(database: database)
    }

    public static let defaultBusyTimeoutMilliseconds = 5000

    public var manifest: SystemManifest { Self.plannedManifest }

    /// The manifest, without a database: what `trellis check` and `trellis systems` plan with.
    public static var plannedManifest: SystemManifest {
        SystemManifest(
            id: "database", version: "1.0.0",
            summary: "SQLite storage: per-system migrations, JSON document collections, runtime config versions",
            provides: [AnyCapabilityKey(documentStoreKey)],
            configSchema: [
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "type": "object",
                "properties": [
                    "busy_timeout_ms": [
                        "type": "integer", "minimum": 0, "default": JSONValue(Self.defaultBusyTimeoutMilliseconds),
                        "description": "How long a write waits for another connection's lock before failing, in milliseconds",
                    ]
                ],
                "additionalProperties": false,
            ],
            defaults: ["busy_timeout_ms": JSONValue(Self.defaultBusyTimeoutMilliseconds)],
            critical: true)
    }

    public func boot(_ context: SystemContext) throws {
        apply(context.config)
        try context.provide(documentStoreKey, store)
    }

    public func reconfigure(_ config: JSONValue, context: SystemContext) async throws {
        apply(config)
    }

    public func health(_ context: SystemContext) async -> HealthReport {
        let details: JSONValue = [
            "path": .string(database.path), "busy_timeout_ms": JSONValue(SQLiteDatabase.milliseconds(database.busyTimeout)),
        ]
        do {
            try await database.check()
            return HealthReport(.up, message: "SQLite at \(database.path) answers", details: details)
        } catch {
            return HealthReport(.down, message: "SQLite at \(database.path) does not answer: \(error)", details: details)
        }
    }

    private func apply(_ config: JSONValue) {
        let milliseconds = config["busy_timeout_ms"]?.intValue ?? Self.defaultBusyTimeoutMilliseconds
        database.setBusyTimeout(.milliseconds(milliseconds))
    }
}
