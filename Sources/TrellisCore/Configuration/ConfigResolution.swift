internal import Configuration
internal import TrellisJSON

/// One system's config with its layers resolved: env over runtime over file over defaults.
struct ResolvedConfig: Sendable {
    /// Runtime version, or file over defaults: what a runtime change patches and stores.
    var stored: JSONValue
    /// `stored` with environment variables applied: what the system runs with.
    var effective: JSONValue
    /// The runtime version in force, if any.
    var version: Int?
    /// Values that came from the environment, with the variable that set each.
    var environment: [JSONPointer: String]
}

/// Resolves and validates systems' configs for the kernel.
struct ConfigResolver: Sendable {
    let file: FileConfiguration
    let environment: EnvironmentLayer

    /// The stored layer without runtime versions: the file's config over the manifest's defaults.
    func fileLayer(_ manifest: SystemManifest) -> JSONValue {
        guard let config = file.systems[manifest.id]?.config else { return manifest.defaults }
        return manifest.defaults.merged(with: config)
    }

    func resolve(_ manifest: SystemManifest, runtime: ConfigVersion?) -> (ResolvedConfig, [ConfigIssue]) {
        let stored = runtime?.config ?? fileLayer(manifest)
        return applyEnvironment(manifest, stored: stored, version: runtime?.number)
    }

    func applyEnvironment(_ manifest: SystemManifest, stored: JSONValue, version: Int?) -> (ResolvedConfig, [ConfigIssue]) {
        var effective = stored
        var sources: [JSONPointer: String] = [:]
        let (overrides, issues) = environment.overrides(systemID: manifest.id, schema: manifest.configSchema)
        for (pointer, value, variable) in overrides {
            effective = effective.merged(with: Self.nest(value, at: pointer))
            sources[pointer] = variable
        }
        return (ResolvedConfig(stored: stored, effective: effective, version: version, environment: sources), issues)
    }

    /// Validation errors of a resolved config, each attributed to the layer the value came from.
    func issues(_ manifest: SystemManifest, schema: JSONSchema, resolved: ResolvedConfig) -> [ConfigIssue] {
        let secrets = SecretMask(schema: manifest.configSchema)
        return schema.validate(resolved.effective).errors.map { error in
            let error = secrets.redact(error, in: resolved.effective)
            return ConfigIssue(
                systemID: manifest.id, pointer: error.instanceLocation, message: error.message,
                source: source(of: error.instanceLocation, system: manifest.id, resolved: resolved))
        }
    }

    private func source(of pointer: JSONPointer, system: String, resolved: ResolvedConfig) -> ConfigIssue.Source {
        var probe: JSONPointer? = pointer
        while let current = probe {
            if let variable = resolved.environment[current] { return .environment(variable: variable) }
            probe = current.parent
        }
        if let version = resolved.version { return .runtime(version: version) }
        if let entry = file.systems[system], let config = entry.config,
            config[pointer: pointer] != nil || pointer.isRoot
                || config[pointer: pointer.parent ?? .root] != nil
        {
            return .file(name: file.fileName, line: file.line(system: system, pointer: pointer))
        }
        return .defaults
    }

    static func nest(_ value: JSONValue, at pointer: JSONPointer) -> JSONValue {
        pointer.tokens.reversed().reduce(value) { inner, token in .object([token: inner]) }
    }

    /// The effective config as swift-configuration values, secrets flagged, for ``SystemContext/configReader``.
    static func reader(for config: JSONValue, mask: SecretMask) -> ConfigReader {
        var values: [AbsoluteConfigKey: ConfigValue] = [:]
        func visit(_ value: JSONValue, _ path: [String]) {
            let secret = mask.isSecret(JSONPointer(tokens: path))
            func put(_ content: ConfigContent) { values[AbsoluteConfigKey(path)] = ConfigValue(content, isSecret: secret) }
            switch value {
            case .object(let object): for (key, member) in object { visit(member, path + [key]) }
            case .string(let string): put(.string(string))
            case .bool(let flag): put(.bool(flag))
            case .number(.integer(let integer)): put(Int(exactly: integer).map { .int($0) } ?? .double(Double(integer)))
            case .number(.double(let double)): put(.double(double))
            case .array(let items):
                if let strings = Optional(items.compactMap(\.stringValue)), strings.count == items.count {
                    put(.stringArray(strings))
                } else if let ints = Optional(items.compactMap(\.intValue)), ints.count == items.count {
                    put(.intArray(ints))
                } else if let doubles = Optional(items.compactMap(\.doubleValue)), doubles.count == items.count {
                    put(.doubleArray(doubles))
                } else if let flags = Optional(items.compactMap(\.boolValue)), flags.count == items.count {
                    put(.boolArray(flags))
                } else {
                    put(.string(value.serialized()))
                }
            case .null: break
            }
        }
        visit(config, [])
        return ConfigReader(provider: InMemoryProvider(name: "trellis", values: values))
    }
}
