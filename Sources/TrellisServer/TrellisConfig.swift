internal import Foundation
public import TrellisCore
internal import TrellisJSON

/// `trellis.yaml`: the server, the database, each system's switch and config, and endpoints.
///
/// ```yaml
/// name: todo
/// environment: development        # development | staging | production
/// server: { host: 127.0.0.1, port: 8080, body_limit: 1048576 }
/// database: sqlite:trellis.db     # relative to --data-dir; postgres:// later
/// systems:
///   endpoints: { enabled: true }
///   chaos: { enabled: true, guard: { timeout_ms: 200, max_concurrent: 4 } }   # guard: see GuardPolicy
/// endpoints:
///   - { path: /hello/{name}, mode: mock, body: { greeting: "Hello {{params.name}}" } }
/// ```
public struct TrellisConfig: Sendable {
    public var name: String
    public var environment: String
    public var database: String
    /// The file layer handed to the kernel: `server:` becomes the `http` system's config,
    /// `endpoints:` the `endpoints` system's, `systems.<id>` the rest.
    public var file: FileConfiguration

    public static let defaultDatabase = "sqlite:trellis.db"

    /// The top level of trellis.yaml; each system's `config` is checked against that system's schema.
    static let schema: JSONValue = [
        "type": "object",
        "properties": [
            "name": ["type": "string"],
            "environment": ["enum": ["development", "staging", "production"]],
            "server": [
                "type": "object",
                "properties": [
                    "host": ["type": "string", "minLength": 1],
                    "port": ["type": "integer", "minimum": 0, "maximum": 65535],
                    "body_limit": ["type": "integer", "minimum": 0],
                    "access_log": ["type": "boolean"],
                ],
                "additionalProperties": false,
            ],
            "database": ["type": "string", "pattern": "^(sqlite:|postgres://|postgresql://)"],
            "systems": [
                "type": "object",
                "propertyNames": ["pattern": "^[a-z][a-z0-9_]*$"],
                "additionalProperties": [
                    "type": "object",
                    "properties": ["enabled": ["type": "boolean"], "config": ["type": "object"], "guard": GuardPolicy.schema],
                    "additionalProperties": false,
                ],
            ],
            "endpoints": ["type": "array", "items": ["type": "object"]],
        ],
        "additionalProperties": false,
    ]

    /// The configuration with no file at all.
    public static let empty = TrellisConfig(
        name: "trellis", environment: "development", database: defaultDatabase, file: FileConfiguration(fileName: "trellis.yaml"))

    public init(name: String, environment: String, database: String, file: FileConfiguration) {
        self.name = name
        self.environment = environment
        self.database = database
        self.file = file
    }

    /// Reads and checks a trellis.yaml file's structure (every problem, with its line).
    public static func load(path: String) throws(ConfigFileErrors) -> TrellisConfig {
        let fileName = (path as NSString).lastPathComponent
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigFileErrors([
                ConfigFileError(
                    file: fileName, line: nil, pointer: nil, message: "cannot read \(path): the file does not exist or is not readable")
            ])
        }
        return try parse(String(decoding: data, as: UTF8.self), fileName: fileName)
    }

    public static func parse(_ text: String, fileName: String) throws(ConfigFileErrors) -> TrellisConfig {
        let document: YAMLDocument
        do {
            document = try YAMLDocument(parsing: text, fileName: fileName)
        } catch {
            throw ConfigFileErrors([error])
        }
        let value = document.value.isNull ? JSONValue.object([:]) : document.value
        // The schema above is a literal of this file; it always compiles.
        let topLevel = try! JSONSchema(schema)
        let errors = topLevel.validate(value).errors
        guard errors.isEmpty else {
            let located = errors.map { error in
                ConfigFileError(
                    file: fileName, line: document.line(of: error.instanceLocation), pointer: error.instanceLocation,
                    message: Self.explain(error))
            }
            // In the order of the file, as a compiler lists errors; the sort is stable for one line.
            throw ConfigFileErrors(
                located.enumerated().sorted { ($0.element.line ?? .max, $0.offset) < ($1.element.line ?? .max, $1.offset) }.map(\.element))
        }
        var file = FileConfiguration(fileName: fileName)
        func entry(_ system: String, config: JSONValue?, at pointer: JSONPointer, enabled: Bool? = nil, enabledLine: Int? = nil)
            -> FileConfiguration.SystemEntry
        {
            var lines: [JSONPointer: Int] = [:]
            for (path, line) in document.lines where path.hasPrefix(pointer) {
                lines[JSONPointer(tokens: Array(path.tokens.dropFirst(pointer.tokens.count)))] = line
            }
            return FileConfiguration.SystemEntry(enabled: enabled, config: config, lines: lines, enabledLine: enabledLine)
        }
        for (id, section) in value["systems"]?.objectValue ?? [:] {
            let pointer = JSONPointer(tokens: ["systems", id, "config"])
            file.systems[id] = entry(
                id, config: section["config"], at: pointer, enabled: section["enabled"]?.boolValue,
                enabledLine: document.lines[JSONPointer(tokens: ["systems", id, "enabled"])])
            file.systems[id]?.guardConfig = section["guard"]
        }
        if let server = value["server"] {
            var merged = file.systems["http"] ?? entry("http", config: nil, at: JSONPointer(tokens: ["server"]))
            merged.config = (merged.config ?? .object([:])).merged(with: server)
            for (path, line) in entry("http", config: nil, at: JSONPointer(tokens: ["server"])).lines { merged.lines[path] = line }
            file.systems["http"] = merged
        }
        if let endpoints = value["endpoints"] {
            var merged = file.systems["endpoints"] ?? entry("endpoints", config: nil, at: JSONPointer(tokens: ["endpoints"]))
            merged.config = (merged.config ?? .object([:])).merged(with: ["endpoints": endpoints])
            for (path, line) in entry("endpoints", config: nil, at: JSONPointer(tokens: ["endpoints"])).lines {
                merged.lines[JSONPointer(tokens: ["endpoints"] + path.tokens)] = line
            }
            file.systems["endpoints"] = merged
        }
        return TrellisConfig(
            name: value["name"]?.stringValue ?? "trellis", environment: value["environment"]?.stringValue ?? "development",
            database: value["database"]?.stringValue ?? defaultDatabase, file: file)
    }

    /// Schema messages, turned into what a person editing the file needs to hear.
    private static func explain(_ error: ValidationError) -> String {
        if error.keywordLocation.tokens.last == "additionalProperties", let key = error.instanceLocation.tokens.last {
            return "unknown key '\(key)'"
        }
        return error.message
    }
}

/// Every problem found in a configuration file.
public struct ConfigFileErrors: Error, Sendable, CustomStringConvertible {
    public let errors: [ConfigFileError]

    public init(_ errors: [ConfigFileError]) {
        self.errors = errors
    }

    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
