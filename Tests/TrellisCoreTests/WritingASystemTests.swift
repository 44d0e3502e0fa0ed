import Testing
import TrellisCore
import TrellisTesting

protocol Greeter: Sendable { func greet(_ name: String) async -> String }
let greeterKey = CapabilityKey<any Greeter>("greeter")
/// Greets people with the configured greeting, and welcomes each new user (`user.created`).
struct GreeterSystem: System {
    actor Greetings: Greeter {
        var greeting = "Hello", welcomed: [String] = []
        func use(_ greeting: String) { self.greeting = greeting }
        func greet(_ name: String) -> String { "\(greeting), \(name)!" }
        func welcome(_ name: String) { welcomed.append(greet(name)) }
    }
    let greetings = Greetings()
    var manifest: SystemManifest {
        SystemManifest(
            id: "greeter", version: "1.0.0", summary: "Greets people", provides: [.init(greeterKey)], listens: ["user.created"],
            configSchema: ["type": "object", "properties": ["greeting": ["type": "string"]]], defaults: ["greeting": "Hello"])
    }
    func register(_ registrar: inout Registrar) {
        registrar.on("user.created") { [greetings] event in await greetings.welcome(event.payload["name"]?.stringValue ?? "you") }
    }
    func start(_ context: SystemContext) async throws {
        await greetings.use(context.configReader.string(forKey: "greeting", default: "Hello"))
        try context.provide(greeterKey, greetings)
    }
}

@Test("writing a system: one capability and one listener, used through the harness")
func writingASystem() async throws {
    let greeter = GreeterSystem()
    let harness = try SystemHarness(systems: [greeter], config: ["greeter": ["greeting": "Welcome"]])
    try await harness.start()
    #expect(try await harness.kernel.capability(greeterKey).greet("Ada") == "Welcome, Ada!")
    await harness.emitAndWait("user.created", payload: ["name": "Grace"])
    #expect(await greeter.greetings.welcomed == ["Welcome, Grace!"])
    try await harness.stop()
}
