import Testing
import TrellisCore
import TrellisJSON

/// The `http` system's schema: scalars, an array, a nested object, and two secrets.
let httpSchema: JSONValue = [
    "type": "object",
    "properties": [
        "host": ["type": "string"],
        "port": ["type": "integer", "minimum": 1, "maximum": 65535],
        "maxRetries": ["type": "integer", "minimum": 0],
        "ratio": ["type": "number"],
        "origins": ["type": "array", "items": ["type": "string"]],
        "tls": [
            "type": "object",
            "properties": [
                "enabled": ["type": "boolean"],
                "keyPassword": ["type": "string", "writeOnly": true, "minLength": 12],
            ],
        ],
        "apiKey": ["type": "string", "x-secret": true],
    ],
    "required": ["host", "port"],
]

let httpDefaults: JSONValue = ["host": "localhost", "port": 80, "maxRetries": 3, "tls": ["enabled": false]]

/// An `http` system that hands its contexts (one per start) to the test.
func httpSystem(contexts: Collected<SystemContext>, log: HookLog? = nil) -> TestSystem {
    var system = TestSystem(.test("http", configSchema: httpSchema, defaults: httpDefaults), log: log)
    system.onStart = { context in contexts.append(context) }
    return system
}

/// The config `http` started with under these layers.
private func startedConfig(
    file: FileConfiguration = FileConfiguration(), environment: [String: String] = [:], store: any ConfigStore = InMemoryConfigStore()
) async throws -> (config: JSONValue, masked: JSONValue?, context: SystemContext) {
    let contexts = Collected<SystemContext>()
    let kernel = try makeKernel([httpSystem(contexts: contexts)], file: file, environment: environment, store: store)
    let masked = try await withRunningKernel(kernel) { kernel in await kernel.maskedConfig(of: "http") }
    let context = try #require(contexts.all.first)
    return (context.config, masked, context)
}

@Suite("Layered configuration: environment over runtime over file over defaults")
struct ConfigurationTests {
    @Test("each layer overrides the one below it")
    func layers() async throws {
        let defaultsOnly = try await startedConfig()
        #expect(defaultsOnly.config == httpDefaults)

        let file = FileConfiguration(systems: ["http": .init(config: ["port": 8080, "tls": ["enabled": true]])])
        let fromFile = try await startedConfig(file: file)
        #expect(fromFile.config == ["host": "localhost", "port": 8080, "maxRetries": 3, "tls": ["enabled": true]])

        let store = InMemoryConfigStore()
        try await store.append(
            ConfigVersion(
                systemID: "http", number: 1, config: ["host": "runtime.internal", "port": 9090, "maxRetries": 3, "tls": ["enabled": true]],
                actor: "admin", reason: "move"))
        let fromRuntime = try await startedConfig(file: file, store: store)
        #expect(fromRuntime.config == ["host": "runtime.internal", "port": 9090, "maxRetries": 3, "tls": ["enabled": true]])

        let fromEnvironment = try await startedConfig(file: file, environment: ["TRELLIS_HTTP_PORT": "7070"], store: store)
        #expect(fromEnvironment.config == ["host": "runtime.internal", "port": 7070, "maxRetries": 3, "tls": ["enabled": true]])
        #expect(fromEnvironment.masked == fromEnvironment.config)
    }

    @Test("environment variables reach nested and camelCase keys, converted to the schema's types")
    func environmentConversion() async throws {
        let started = try await startedConfig(environment: [
            "TRELLIS_HTTP_HOST": "example.org", "TRELLIS_HTTP_TLS_ENABLED": "yes", "TRELLIS_HTTP_MAX_RETRIES": " 5 ",
            "TRELLIS_HTTP_RATIO": "0.25", "TRELLIS_HTTP_ORIGINS": #"["https://a.example", "https://b.example"]"#,
            "TRELLIS_MAILER_PORT": "1", "TRELLIS_HTTP_UNKNOWN": "ignored", "HTTP_PORT": "2",
        ])
        #expect(
            started.config == [
                "host": "example.org", "port": 80, "maxRetries": 5, "ratio": 0.25, "origins": ["https://a.example", "https://b.example"],
                "tls": ["enabled": true],
            ])
    }

    @Test("boolean spellings", arguments: [("true", true), ("1", true), ("ON", true), ("false", false), ("no", false), ("0", false)])
    func booleans(text: String, value: Bool) async throws {
        let started = try await startedConfig(environment: ["TRELLIS_HTTP_TLS_ENABLED": text])
        #expect(started.config["tls"]?["enabled"] == .bool(value))
    }

    @Test("an environment value that does not fit its type stops the boot, naming the variable")
    func badEnvironmentValue() async throws {
        let log = HookLog()
        let kernel = try makeKernel(
            [httpSystem(contexts: Collected(), log: log)],
            environment: [
                "TRELLIS_HTTP_PORT": "eighty", "TRELLIS_HTTP_TLS_ENABLED": "maybe", "TRELLIS_HTTP_ORIGINS": "a,b",
                "TRELLIS_HTTP_MAX_RETRIES": "-1",
            ])
        let error = await bootError { _ = try await start(kernel) }
        #expect(
            error?.description == """
                Trellis cannot boot (4 problems):
                  - environment variable TRELLIS_HTTP_PORT: /systems/http/config/port: 'eighty' is not an integer
                  - environment variable TRELLIS_HTTP_ORIGINS: /systems/http/config/origins: 'a,b' is not an array
                  - environment variable TRELLIS_HTTP_TLS_ENABLED: /systems/http/config/tls/enabled: 'maybe' is not a boolean
                  - environment variable TRELLIS_HTTP_MAX_RETRIES: /systems/http/config/maxRetries: -1 is less than the minimum of 0
                """)
        #expect(error?.problems.allSatisfy { $0.code == .invalidConfig && $0.systemID == "http" } == true)
        #expect(log.systems(calling: "start") == [])
    }

    @Test("an invalid config stops the boot with every error, its pointer and its line in trellis.yaml")
    func everyErrorWithLines() async throws {
        let log = HookLog()
        let mailerSchema: JSONValue = [
            "type": "object", "properties": ["from": ["type": "string"], "retries": ["type": "integer", "minimum": 0]],
            "required": ["from"],
        ]
        let file = FileConfiguration(systems: [
            "http": .init(
                config: ["host": 5, "port": 70000, "tls": ["enabled": "yes"]],
                lines: ["": 10, "/host": 11, "/port": 12, "/tls": 13, "/tls/enabled": 14]),
            "mailer": .init(config: ["retries": -1], lines: ["": 20, "/retries": 21]),
        ])
        let kernel = try makeKernel(
            [
                httpSystem(contexts: Collected(), log: log),
                TestSystem(.test("mailer", configSchema: mailerSchema, defaults: ["from": "noreply@example.com"]), log: log),
            ],
            file: file)
        let error = await bootError { _ = try await start(kernel) }
        #expect(
            error?.description == """
                Trellis cannot boot (4 problems):
                  - trellis.yaml:11: /systems/http/config/host: 5 is a number, not string
                  - trellis.yaml:12: /systems/http/config/port: 70000 is greater than the maximum of 65535
                  - trellis.yaml:14: /systems/http/config/tls/enabled: "yes" is a string, not boolean
                  - trellis.yaml:21: /systems/mailer/config/retries: -1 is less than the minimum of 0
                """)
        #expect(log.systems(calling: "start") == [])
    }

    @Test("a value from a runtime version is blamed on that version")
    func runtimeVersionBlamed() async throws {
        let store = InMemoryConfigStore()
        try await store.append(
            ConfigVersion(systemID: "http", number: 1, config: ["host": "a", "port": 0], actor: "admin", reason: "oops"))
        let kernel = try makeKernel([httpSystem(contexts: Collected())], store: store)
        let error = await bootError { _ = try await start(kernel) }
        #expect(messages(error) == ["runtime config version 1: /systems/http/config/port: 0 is less than the minimum of 1"])
    }

    @Test("a file value without a known line is still blamed on the file")
    func fileWithoutLine() async throws {
        let file = FileConfiguration(fileName: "prod.yaml", systems: ["http": .init(config: ["port": 70000])])
        let kernel = try makeKernel([httpSystem(contexts: Collected())], file: file)
        let error = await bootError { _ = try await start(kernel) }
        #expect(messages(error) == ["prod.yaml: /systems/http/config/port: 70000 is greater than the maximum of 65535"])
    }

    @Test("configReader reads the same values as config, environment included")
    func configReader() async throws {
        let file = FileConfiguration(systems: ["http": .init(config: ["port": 8080, "origins": ["x", "y"], "ratio": 1.5])])
        let started = try await startedConfig(
            file: file, environment: ["TRELLIS_HTTP_TLS_ENABLED": "true", "TRELLIS_HTTP_HOST": "env.example"])
        let reader = started.context.configReader
        #expect(reader.int(forKey: "port") == 8080)
        #expect(reader.int(forKey: "port") == started.config["port"]?.intValue)
        #expect(reader.string(forKey: "host") == "env.example")
        #expect(reader.int(forKey: "maxRetries") == 3)
        #expect(reader.double(forKey: "ratio") == 1.5)
        #expect(reader.bool(forKey: "tls.enabled") == true)
        #expect(reader.stringArray(forKey: "origins") == ["x", "y"])
        #expect(reader.string(forKey: "missing") == nil)
    }

    @Test("secrets (writeOnly and x-secret) reach the system but never its masked config")
    func secretsMasked() async throws {
        let file = FileConfiguration(systems: [
            "http": .init(config: ["apiKey": "sk-live-file-secret", "tls": ["enabled": true, "keyPassword": "correct horse battery"]])
        ])
        let started = try await startedConfig(file: file, environment: ["TRELLIS_HTTP_API_KEY": "sk-live-env-secret"])
        // The system itself reads its secrets.
        #expect(started.config["apiKey"] == "sk-live-env-secret")
        #expect(started.context.configReader.string(forKey: "tls.keyPassword") == "correct horse battery")
        let masked = try #require(started.masked)
        #expect(masked["apiKey"] == SecretMask.placeholder)
        #expect(masked["tls"]?["keyPassword"] == SecretMask.placeholder)
        #expect(masked["tls"]?["enabled"] == true)
        let text = masked.serialized()
        for secret in ["sk-live-file-secret", "sk-live-env-secret", "correct horse battery"] { #expect(!text.contains(secret)) }
    }

    @Test("SecretMask finds writeOnly and x-secret values, in arrays, maps and through $ref")
    func secretMask() {
        let schema: JSONValue = [
            "type": "object",
            "$defs": ["credential": ["type": "string", "x-secret": true]],
            "properties": [
                "password": ["type": "string", "writeOnly": true],
                "tokens": ["type": "array", "items": ["$ref": "#/$defs/credential"]],
                "headers": ["type": "object", "additionalProperties": ["type": "string", "writeOnly": true]],
                "vault": ["type": "object", "x-secret": true],
                "name": ["type": "string", "writeOnly": false],
            ],
        ]
        let mask = SecretMask(schema: schema)
        #expect(!mask.isEmpty)
        #expect(mask.isSecret("/password"))
        #expect(mask.isSecret("/tokens/3"))
        #expect(mask.isSecret("/headers/Authorization"))
        #expect(mask.isSecret("/vault/inner/deep"))
        #expect(!mask.isSecret("/name"))
        #expect(!mask.isSecret("/tokens"))
        let masked = mask.mask([
            "password": "p4ss", "tokens": ["t1", "t2"], "headers": ["Authorization": "Bearer x"], "vault": ["k": "v"], "name": "n",
        ])
        #expect(
            masked == [
                "password": "********", "tokens": ["********", "********"], "headers": ["Authorization": "********"],
                "vault": "********", "name": "n",
            ])
        #expect(SecretMask(schema: ["type": "object"]).isEmpty)
    }
}
