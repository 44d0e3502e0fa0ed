import Foundation
import Testing
import TrellisCore
import TrellisJSON
import TrellisTesting

let mailerSchema: JSONValue = [
    "type": "object",
    "properties": [
        "host": ["type": "string"],
        "port": ["type": "integer", "minimum": 1, "maximum": 65535],
        "password": ["type": "string", "writeOnly": true, "minLength": 8],
    ],
    "required": ["host", "port"],
]

/// A reconfigurable `mailer` that records every config it is given (at start and on reconfigure).
private func mailer(configs: Collected<JSONValue>, log: HookLog, reconfigure: (@Sendable (JSONValue) throws -> Void)? = nil)
    -> ReconfigurableTestSystem
{
    var system = ReconfigurableTestSystem(
        .test("mailer", configSchema: mailerSchema, defaults: ["host": "smtp.local", "port": 25]), log: log)
    system.base.onStart = { context in configs.append(context.config) }
    system.onReconfigure = { config, context in
        try reconfigure?(config)
        #expect(context.config == config)
        configs.append(config)
    }
    return system
}

private func replace(_ path: JSONPointer, _ value: JSONValue) -> JSONPatch {
    JSONPatch([.replace(path: path, value: value)])
}

private func changeError(_ body: () async throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) async -> ConfigChangeError? {
    do {
        try await body()
        Issue.record("expected a ConfigChangeError, but nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as ConfigChangeError {
        return error
    } catch {
        Issue.record("expected a ConfigChangeError, got \(type(of: error)): \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

/// A store that cannot write (a database that went away).
private struct RefusingStore: ConfigStore {
    func versions(of systemID: String) async throws -> [ConfigVersion] { [] }
    func append(_ version: ConfigVersion) async throws { throw Boom("the database is read-only") }
}

/// Serialized text of any Encodable, for checking what it reveals.
private func text(_ value: some Encodable) throws -> String {
    String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
}

@Suite("Runtime config changes: propose, apply, rollback, history")
struct RuntimeConfigTests {
    @Test("propose previews the change without applying it")
    func propose() async throws {
        let configs = Collected<JSONValue>()
        let kernel = try makeKernel([mailer(configs: configs, log: HookLog())])
        try await withRunningKernel(kernel) { kernel in
            let preview = try await kernel.propose("mailer", replace("/port", 2525))
            #expect(preview.systemID == "mailer")
            #expect(preview.baseVersion == 0)
            #expect(preview.before == ["host": "smtp.local", "port": 25])
            #expect(preview.after == ["host": "smtp.local", "port": 2525])
            #expect(preview.diff == replace("/port", 2525))
            #expect(preview.errors.isEmpty && preview.isValid)
            #expect(preview.shadowedByEnvironment.isEmpty)
            #expect(await kernel.maskedConfig(of: "mailer") == ["host": "smtp.local", "port": 25])
            #expect(try await kernel.history(of: "mailer").isEmpty)
        }
        #expect(configs.all.count == 1)
    }

    @Test("an invalid change lists its errors; apply refuses it and stores nothing")
    func invalidChange() async throws {
        let log = HookLog()
        let store = InMemoryConfigStore()
        let kernel = try makeKernel([mailer(configs: Collected(), log: log)], store: store)
        try await withRunningKernel(kernel) { kernel in
            let preview = try await kernel.propose("mailer", JSONPatch([.replace(path: "/port", value: 0), .remove(path: "/host")]))
            #expect(!preview.isValid)
            #expect(
                preview.errors.map(\.description) == [
                    "/port: 0 is less than the minimum of 1", "/: the required property \"host\" is missing",
                ])
            let error = await changeError { try await kernel.apply(preview, actor: "admin", reason: "try") }
            #expect(error?.code == .invalidConfig)
            #expect(error?.systemID == "mailer")
            #expect(
                error?.message == "the change to mailer's config is invalid: \(preview.errors.map(\.description).joined(separator: "; "))")
            #expect(await store.versions(of: "mailer").isEmpty)
            #expect(await kernel.maskedConfig(of: "mailer") == ["host": "smtp.local", "port": 25])
        }
        #expect(log.count("mailer.reconfigure") == 0)
    }

    @Test("apply stores a version with actor and reason and reconfigures a Reconfigurable system in place")
    func applyReconfigures() async throws {
        let log = HookLog()
        let configs = Collected<JSONValue>()
        let store = InMemoryConfigStore()
        let harness = try SystemHarness(systems: [mailer(configs: configs, log: log)], store: store)
        try await harness.start()
        let kernel = harness.kernel
        let preview = try await kernel.propose("mailer", replace("/port", 2525))
        let version = try await kernel.apply(preview, actor: "admin", reason: "use the submission port")
        #expect(version.systemID == "mailer")
        #expect(version.number == 1)
        #expect(version.actor == "admin")
        #expect(version.reason == "use the submission port")
        #expect(version.config == ["host": "smtp.local", "port": 2525])
        #expect(await store.versions(of: "mailer").map(\.number) == [1])
        #expect(configs.all == [["host": "smtp.local", "port": 25], ["host": "smtp.local", "port": 2525]])
        #expect(await kernel.maskedConfig(of: "mailer") == ["host": "smtp.local", "port": 2525])
        #expect(await kernel.state(of: "mailer") == .running)
        #expect(log.count("mailer.start") == 1)
        #expect(log.count("mailer.stop") == 0)
        #expect(try await kernel.propose("mailer", JSONPatch()).baseVersion == 1)
        _ = try await harness.waitForEvent(named: "kernel.config.applied")
        try await harness.stop()
        #expect(
            harness.emitted(named: "kernel.config.applied").map(\.payload) == [
                ["system": "mailer", "version": 1, "actor": "admin", "reason": "use the submission port"]
            ])
        #expect(harness.emitted(named: "kernel.system.reconfigured").map(\.payload) == [["system": "mailer"]])
    }

    @Test("a system that is not Reconfigurable is restarted with its dependents; the others keep running")
    func applyRestarts() async throws {
        let log = HookLog()
        let contexts = Collected<SystemContext>()
        let kernel = try makeKernel([
            httpSystem(contexts: contexts, log: log), TestSystem(.test("api", requires: ["http"]), log: log),
            TestSystem(.test("audit"), log: log), TestSystem(.test("admin", requires: ["api"]), log: log),
        ])
        try await withRunningKernel(kernel) { kernel in
            let before = log.all.count
            let preview = try await kernel.propose("http", replace("/port", 8081))
            try await kernel.apply(preview, actor: "admin", reason: "move")
            #expect(
                Array(log.all.dropFirst(before)) == [
                    "admin.stop", "api.stop", "http.stop", "http.boot", "http.start", "api.boot", "api.start", "admin.boot", "admin.start",
                ])
            #expect(contexts.all.map { $0.config["port"] } == [80, 8081])
            #expect(log.count("audit.start") == 1)
            #expect(log.count("audit.stop") == 0)
            #expect(await kernel.systemStates.allSatisfy { $0.state == .running })
        }
        // At shutdown everything stops once more, dependents before what they depend on.
        let stops = log.systems(calling: "stop")
        #expect(stops.suffix(4).firstIndex(of: "admin")! < stops.suffix(4).firstIndex(of: "api")!)
        #expect(stops.suffix(4).firstIndex(of: "api")! < stops.suffix(4).firstIndex(of: "http")!)
    }

    @Test("a restart that fails with the new config puts the old one back and stores nothing")
    func restartRejects() async throws {
        let log = HookLog()
        let contexts = Collected<SystemContext>()
        let store = InMemoryConfigStore()
        var http = httpSystem(contexts: contexts, log: log)
        http.onStart = { context in
            contexts.append(context)
            if context.config["port"] == 9999 { throw Boom("port 9999 is taken") }
        }
        let kernel = try makeKernel([http, TestSystem(.test("api", requires: ["http"]), log: log)], store: store)
        try await withRunningKernel(kernel) { kernel in
            let preview = try await kernel.propose("http", replace("/port", 9999))
            let error = await changeError { try await kernel.apply(preview, actor: "admin", reason: "move") }
            #expect(error?.code == .reconfigureFailed)
            #expect(error?.message == "http rejected the new config: failed to start: port 9999 is taken; the old config stays in force")
            #expect(await store.versions(of: "http").isEmpty)
            #expect(await kernel.maskedConfig(of: "http")?["port"] == 80)
            #expect(await kernel.state(of: "http") == .running)
            #expect(await kernel.state(of: "api") == .running)
        }
        #expect(contexts.all.map { $0.config["port"] } == [80, 9999, 80])
        // api was stopped for the attempt, then started again on the old config.
        #expect(log.count("api.start") == 2)
    }

    @Test("when the store refuses the new version, the system goes back to its old config")
    func storeFailureRestores() async throws {
        let configs = Collected<JSONValue>()
        let kernel = try makeKernel([mailer(configs: configs, log: HookLog())], store: RefusingStore())
        try await withRunningKernel(kernel) { kernel in
            let preview = try await kernel.propose("mailer", replace("/port", 2525))
            await #expect(throws: Boom.self) { try await kernel.apply(preview, actor: "admin", reason: "move") }
            #expect(await kernel.maskedConfig(of: "mailer") == ["host": "smtp.local", "port": 25])
            #expect(try await kernel.propose("mailer", JSONPatch()).baseVersion == 0)
        }
        #expect(configs.all.map { $0["port"] } == [25, 2525, 25])
    }

    @Test("the in-memory store refuses a version that is not the next number")
    func storeConflict() async throws {
        let store = InMemoryConfigStore()
        try await store.append(ConfigVersion(systemID: "http", number: 1, config: [:], actor: "admin", reason: "one"))
        let error = await changeError {
            try await store.append(ConfigVersion(systemID: "http", number: 3, config: [:], actor: "admin", reason: "three"))
        }
        #expect(error?.code == .conflict)
        #expect(error?.message == "config version 3 of http conflicts with the stored history; expected 2")
        #expect(try await store.latest(of: "http")?.number == 1)
    }

    @Test("a reconfigure that throws keeps the old config and stores nothing")
    func reconfigureRejects() async throws {
        let log = HookLog()
        let configs = Collected<JSONValue>()
        let store = InMemoryConfigStore()
        let system = mailer(configs: configs, log: log) { config in
            if config["port"] == 2526 { throw Boom("port 2526 is blocked") }
        }
        let kernel = try makeKernel([system], store: store)
        try await withRunningKernel(kernel) { kernel in
            let preview = try await kernel.propose("mailer", replace("/port", 2526))
            let error = await changeError { try await kernel.apply(preview, actor: "admin", reason: "try") }
            #expect(error?.code == .reconfigureFailed)
            #expect(error?.message == "mailer rejected the new config: port 2526 is blocked; the old config stays in force")
            #expect(await store.versions(of: "mailer").isEmpty)
            #expect(await kernel.maskedConfig(of: "mailer") == ["host": "smtp.local", "port": 25])
            #expect(await kernel.state(of: "mailer") == .running)
            let again = try await kernel.propose("mailer", replace("/port", 2527))
            #expect(again.baseVersion == 0)
            #expect(again.before == ["host": "smtp.local", "port": 25])
            #expect(try await kernel.apply(again, actor: "admin", reason: "other port").number == 1)
        }
        #expect(configs.all.map { $0["port"] } == [25, 2527])
    }

    @Test("a preview made before another change landed is stale")
    func stalePreview() async throws {
        let kernel = try makeKernel([mailer(configs: Collected(), log: HookLog())])
        try await withRunningKernel(kernel) { kernel in
            let first = try await kernel.propose("mailer", replace("/port", 2525))
            let second = try await kernel.propose("mailer", replace("/host", "smtp.example"))
            try await kernel.apply(first, actor: "admin", reason: "one")
            let error = await changeError { try await kernel.apply(second, actor: "admin", reason: "two") }
            #expect(error?.code == .stale)
            #expect(
                error?.message
                    == "mailer's config changed since this preview (now version 1, preview of version 0); propose the change again")
            #expect(try await kernel.history(of: "mailer").map(\.reason) == ["one"])
        }
    }

    @Test("rollback makes an earlier version current again as a new version")
    func rollback() async throws {
        let configs = Collected<JSONValue>()
        let store = InMemoryConfigStore()
        let kernel = try makeKernel([mailer(configs: configs, log: HookLog())], store: store)
        try await withRunningKernel(kernel) { kernel in
            try await kernel.apply(try await kernel.propose("mailer", replace("/port", 2525)), actor: "admin", reason: "one")
            try await kernel.apply(
                try await kernel.propose(
                    "mailer", JSONPatch([.replace(path: "/port", value: 587), .add(path: "/password", value: "s3cret-pass")])),
                actor: "assistant", reason: "two")
            let restored = try await kernel.rollback("mailer", to: 1)
            #expect(restored.number == 3)
            #expect(restored.actor == "rollback")
            #expect(restored.reason == "rollback to version 1")
            let stored = await store.versions(of: "mailer")
            #expect(stored.map(\.number) == [1, 2, 3])
            #expect(stored[2].config == stored[0].config)
            #expect(await kernel.maskedConfig(of: "mailer") == ["host": "smtp.local", "port": 2525])
            #expect(configs.all.last == ["host": "smtp.local", "port": 2525])

            let error = await changeError { try await kernel.rollback("mailer", to: 9) }
            #expect(error?.code == .unknownVersion)
            #expect(error?.message == "mailer has no config version 9; versions are 1…3")
            #expect(try await kernel.history(of: "mailer").map(\.actor) == ["admin", "assistant", "rollback"])
        }
    }

    @Test("a preview shows which changed values the environment shadows")
    func shadowedByEnvironment() async throws {
        let kernel = try makeKernel([mailer(configs: Collected(), log: HookLog())], environment: ["TRELLIS_MAILER_PORT": "2600"])
        try await withRunningKernel(kernel) { kernel in
            let shadowed = try await kernel.propose("mailer", replace("/port", 2525))
            #expect(shadowed.shadowedByEnvironment == ["/port"])
            #expect(shadowed.before["port"] == 2600)
            #expect(shadowed.after["port"] == 2600)
            #expect(shadowed.diff == JSONPatch())
            let free = try await kernel.propose("mailer", replace("/host", "smtp.example"))
            #expect(free.shadowedByEnvironment.isEmpty)
        }
    }

    @Test("unknown systems and patches that do not apply are refused")
    func refusedProposals() async throws {
        let kernel = try makeKernel([mailer(configs: Collected(), log: HookLog())])
        try await withRunningKernel(kernel) { kernel in
            let unknown = await changeError { _ = try await kernel.propose("nope", JSONPatch()) }
            #expect(unknown?.code == .unknownSystem)
            #expect(unknown?.message == "there is no system named 'nope'")
            let badPatch = await changeError { _ = try await kernel.propose("mailer", JSONPatch([.remove(path: "/missing")])) }
            #expect(badPatch?.code == .invalidPatch)
            #expect(badPatch?.message.hasPrefix("the patch does not apply to mailer's config: ") == true)
        }
    }

    @Test("secrets never appear in previews, diffs, history, returned versions or events")
    func secretsNeverShown() async throws {
        let secrets = ["first-Secret-9", "second-Secret-9"]
        let store = InMemoryConfigStore()
        let harness = try SystemHarness(
            systems: [mailer(configs: Collected(), log: HookLog())],
            config: ["mailer": ["host": "smtp.local", "port": 25, "password": .string(secrets[0])]],
            store: store)
        try await harness.start()
        let kernel = harness.kernel
        let preview = try await kernel.propose("mailer", replace("/password", .string(secrets[1])))
        #expect(preview.isValid)
        #expect(preview.diff == replace("/password", SecretMask.placeholder))
        let applied = try await kernel.apply(preview, actor: "admin", reason: "rotate")
        let history = try await kernel.history(of: "mailer")
        let masked = try #require(await kernel.maskedConfig(of: "mailer"))
        try await harness.stop()

        let shown = [
            preview.before.serialized(), preview.after.serialized(), "\(preview.diff)", try text(applied), try text(history),
            masked.serialized(), try text(harness.emitted.map(\.payload)),
        ]
        for secret in secrets {
            for view in shown { #expect(!view.contains(secret), "\(view)") }
        }
        #expect(masked["password"] == SecretMask.placeholder)
        // The store keeps the secret in clear: it is the system's config.
        #expect(await store.versions(of: "mailer").first?.config["password"] == .string(secrets[1]))
    }

    @Test("validation errors about a secret do not repeat it")
    func secretsNotInErrors() async throws {
        let kernel = try makeKernel([mailer(configs: Collected(), log: HookLog())])
        try await withRunningKernel(kernel) { kernel in
            let preview = try await kernel.propose("mailer", JSONPatch([.add(path: "/password", value: "hunt3r")]))
            #expect(preview.errors.map(\.instanceLocation) == ["/password"])
            #expect(preview.errors.allSatisfy { !$0.description.contains("hunt3r") }, "\(preview.errors)")
            let error = await changeError { try await kernel.apply(preview, actor: "admin", reason: "weak") }
            #expect(error?.code == .invalidConfig)
            #expect(error?.message.contains("hunt3r") == false, "\(error?.message ?? "")")
        }
    }

    @Test("boot errors about a secret do not repeat it, from the file or the environment")
    func secretsNotInBootErrors() async throws {
        let vaultSchema: JSONValue = [
            "type": "object",
            "properties": [
                "pin": ["type": "integer", "writeOnly": true], "password": ["type": "string", "x-secret": true, "minLength": 8],
            ],
        ]
        let file = FileConfiguration(systems: ["vault": .init(config: ["password": "hunt3r"], lines: ["/password": 7])])
        let kernel = try makeKernel(
            [TestSystem(.test("vault", configSchema: vaultSchema))], file: file, environment: ["TRELLIS_VAULT_PIN": "12ab-secret"])
        let error = await bootError { _ = try await start(kernel) }
        #expect(
            messages(error) == [
                "environment variable TRELLIS_VAULT_PIN: /systems/vault/config/pin: the secret value is not an integer",
                "trellis.yaml:7: /systems/vault/config/password: \"********\" is shorter than the minimum length of 8",
            ])
        let description = error?.description ?? ""
        #expect(!description.contains("hunt3r"), "\(description)")
        #expect(!description.contains("12ab-secret"), "\(description)")
    }

    @Test("a long secret, and a secret inside a quoted object, are masked in messages")
    func secretsInQuotedValues() async throws {
        let schema: JSONValue = [
            "type": "object",
            "properties": [
                "token": ["type": "string", "writeOnly": true, "maxLength": 10],
                "tls": ["type": "object", "properties": ["key": ["type": "string", "x-secret": true]], "anyOf": [["required": ["cert"]]]],
            ],
        ]
        let longSecret = "tok-0123456789-abcdefghijklmnopqrstuvwxyz-0123456789"
        let file = FileConfiguration(systems: ["vault": .init(config: ["token": .string(longSecret), "tls": ["key": "k3y-secret"]])])
        let kernel = try makeKernel([TestSystem(.test("vault", configSchema: schema))], file: file)
        let error = await bootError { _ = try await start(kernel) }
        #expect(
            messages(error) == [
                "trellis.yaml: /systems/vault/config/token: \"********\" is longer than the maximum length of 10",
                "trellis.yaml: /systems/vault/config/tls: {\"key\":\"********\"} does not match any of the 1 schemas in anyOf",
            ])
        for secret in [longSecret, String(longSecret.prefix(30)), "k3y-secret"] {
            #expect(!(error?.description.contains(secret) ?? true))
        }
    }
}
