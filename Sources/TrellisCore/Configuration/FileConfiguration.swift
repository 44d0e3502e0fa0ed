public import TrellisJSON

/// What `trellis.yaml` says about systems, with the line each value came from.
///
/// The kernel does not read files itself: the server parses the file and hands this over,
/// so the kernel stays free of YAML and I/O.
public struct FileConfiguration: Sendable {
    /// Per system: `systems.<id>` in the file.
    public struct SystemEntry: Sendable {
        public var enabled: Bool?
        public var config: JSONValue?
        /// Line of each value in the file, by JSON Pointer inside the system's `config`.
        public var lines: [JSONPointer: Int]
        /// Line of `systems.<id>.enabled`, for messages about it.
        public var enabledLine: Int?
        /// `systems.<id>.guard`: overrides of the manifest's ``GuardPolicy``.
        public var guardConfig: JSONValue?

        public init(
            enabled: Bool? = nil, config: JSONValue? = nil, lines: [JSONPointer: Int] = [:], enabledLine: Int? = nil,
            guardConfig: JSONValue? = nil
        ) {
            self.enabled = enabled
            self.config = config
            self.lines = lines
            self.enabledLine = enabledLine
            self.guardConfig = guardConfig
        }
    }

    /// The file's name as shown in messages (`trellis.yaml`).
    public var fileName: String
    public var systems: [String: SystemEntry]

    public init(fileName: String = "trellis.yaml", systems: [String: SystemEntry] = [:]) {
        self.fileName = fileName
        self.systems = systems
    }

    /// The line of the value at `pointer` in a system's config, or of its nearest ancestor in the file.
    func line(system: String, pointer: JSONPointer) -> Int? {
        guard let entry = systems[system] else { return nil }
        var probe: JSONPointer? = pointer
        while let current = probe {
            if let line = entry.lines[current] { return line }
            probe = current.parent
        }
        return nil
    }
}
