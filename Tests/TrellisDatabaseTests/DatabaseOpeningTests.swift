import Foundation
import Testing
import TrellisDatabase
import TrellisStorageCapability

@Suite struct DatabaseOpeningTests {
    @Test func sqliteURLsResolveAgainstTheDataDirectory() throws {
        #expect(try DatabaseLocation(url: "sqlite:app.db", dataDirectory: "/var/lib/trellis") == .sqlite(path: "/var/lib/trellis/app.db"))
        #expect(try DatabaseLocation(url: "sqlite:./db/../data/app.db", dataDirectory: "/srv/") == .sqlite(path: "/srv/data/app.db"))
        #expect(try DatabaseLocation(url: "sqlite:/abs/app.db", dataDirectory: "/ignored") == .sqlite(path: "/abs/app.db"))
        #expect(
            try DatabaseLocation(url: DatabaseLocation.defaultURL, dataDirectory: "/data") == .sqlite(path: "/data/trellis.db"))
    }

    @Test func postgresURLsSayTheyAreNotSupportedYet() {
        #expect(
            throws: DatabaseOpenError(
                code: .unsupported, location: "postgres://db.internal/app",
                message: "PostgreSQL is not supported yet: 'postgres://db.internal/app' cannot be opened; use sqlite:PATH for now")
        ) {
            try SQLiteDatabase(url: "postgres://db.internal/app", dataDirectory: "/tmp")
        }
        #expect(throws: DatabaseOpenError.self) { try DatabaseLocation(url: "postgresql://localhost/app", dataDirectory: "/tmp") }
    }

    @Test func otherURLsAreRejectedWithTheFormToUse() {
        #expect(
            throws: DatabaseOpenError(
                code: .invalidURL, location: "mysql://x", message: "'mysql://x' is not a database URL Trellis understands; use sqlite:PATH")
        ) {
            try DatabaseLocation(url: "mysql://x", dataDirectory: "/tmp")
        }
        #expect(throws: DatabaseOpenError(code: .invalidURL, location: "sqlite:", message: "'sqlite:' names no file; use sqlite:PATH")) {
            try DatabaseLocation(url: "sqlite:", dataDirectory: "/tmp")
        }
        #expect(throws: DatabaseOpenError.self) { try DatabaseLocation(url: "sqlite::memory:", dataDirectory: "/tmp") }
    }

    @Test func openingCreatesMissingDirectoriesAndUsesWAL() async throws {
        try await withTemporaryDirectory { directory in
            let database = try SQLiteDatabase(url: "sqlite:nested/deeper/app.db", dataDirectory: directory)
            defer { try? database.close() }
            #expect(database.path == directory + "/nested/deeper/app.db")
            #expect(FileManager.default.fileExists(atPath: database.path))
            #expect(try await database.rows("PRAGMA journal_mode") == [["wal"]])
            #expect(try await database.rows("PRAGMA foreign_keys") == [["1"]])
            #expect(database.busyTimeout == .milliseconds(5000))
        }
    }

    @Test func aParentThatIsAFileGivesTheClearError() async throws {
        try await withTemporaryDirectory { directory in
            _ = FileManager.default.createFile(atPath: directory + "/file", contents: Data("x".utf8))
            let path = directory + "/file/sub/app.db"
            #expect(
                throws: DatabaseOpenError(
                    code: .cannotOpen, location: path,
                    message:
                        "cannot open the database at \(path): \(directory)/file is a file, not a directory; check that the directory exists and is writable"
                )
            ) {
                try SQLiteDatabase(path: path)
            }
        }
    }

    @Test(.enabled(if: geteuid() != 0, "root may write into any directory"))
    func anUnwritableDirectoryGivesTheClearError() async throws {
        try await withTemporaryDirectory { directory in
            let locked = directory + "/locked"
            try FileManager.default.createDirectory(
                atPath: locked, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o555])
            defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: locked) }
            #expect(
                throws: DatabaseOpenError(
                    code: .cannotOpen, location: locked + "/app.db",
                    message:
                        "cannot open the database at \(locked)/app.db: the directory \(locked) is not writable: Permission denied; check that the directory exists and is writable"
                )
            ) {
                try SQLiteDatabase(path: locked + "/app.db")
            }
        }
    }

    @Test func aFileThatIsNotADatabaseIsNamed() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/notes.txt"
            _ = FileManager.default.createFile(atPath: path, contents: Data(String(repeating: "not a database\n", count: 100).utf8))
            let error = #expect(throws: DatabaseOpenError.self) { try SQLiteDatabase(path: path) }
            #expect(
                error?.message
                    == "cannot open the database at \(path): the file is not an SQLite database; move it away or name another file")
        }
    }

    @Test func reopeningTheFileKeepsEverything() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/app.db"
            let written: Document
            do {
                let database = try SQLiteDatabase(path: path)
                let store = SQLiteDocumentStore(database: database)
                try await store.migrate(system: "notes", [Migration("0001", sql: "CREATE TABLE notes_tags (tag TEXT)")])
                let items = try await store.collection("items", indexes: [IndexedField("status")])
                written = try await items.insert(["title": "Milk", "status": "open"], id: "milk")
                try database.close()
            }
            do {
                // Dropped without close: the last reference going away closes the connections.
                let database = try SQLiteDatabase(path: path)
                let items = try await SQLiteDocumentStore(database: database).collection("items", indexes: [IndexedField("status")])
                #expect(try await items.get("milk") == written)
            }
            let database = try SQLiteDatabase(path: path)
            defer { try? database.close() }
            let store = SQLiteDocumentStore(database: database)
            let items = try await store.collection("items", indexes: [IndexedField("status")])
            #expect(try await items.get("milk") == written)
            #expect(try await items.query(DocumentQuery(filters: [.init("status", "open")])).documents == [written])
            #expect(try await store.appliedMigrations(system: "notes") == ["0001"])
        }
    }
}
