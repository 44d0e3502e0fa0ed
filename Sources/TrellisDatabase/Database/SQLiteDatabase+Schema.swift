internal import GRDB

extension SQLiteDatabase {
    /// Trellis's own tables. Systems' tables are made by their migrations (``SQLiteDocumentStore/migrate(system:_:)``),
    /// recorded in `trellis_migrations`; these are recorded by GRDB's migrator in `grdb_migrations`.
    static let schema: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("trellis.v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE trellis_migrations (
                        system TEXT NOT NULL,
                        name TEXT NOT NULL,
                        applied_at INTEGER NOT NULL,
                        PRIMARY KEY (system, name)
                    );
                    CREATE TABLE trellis_config_versions (
                        system TEXT NOT NULL,
                        number INTEGER NOT NULL,
                        config TEXT NOT NULL,
                        actor TEXT NOT NULL,
                        reason TEXT NOT NULL,
                        created_at INTEGER NOT NULL,
                        PRIMARY KEY (system, number)
                    );
                    CREATE TABLE trellis_collection_fields (
                        collection TEXT NOT NULL,
                        field TEXT NOT NULL,
                        pointer TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        PRIMARY KEY (collection, field)
                    );
                    """)
        }
        return migrator
    }()
}
