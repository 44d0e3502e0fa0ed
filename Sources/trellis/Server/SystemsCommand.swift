import ArgumentParser
import Foundation
import TrellisCore
import TrellisJSON
import TrellisServer

/// `trellis systems`: the boot plan, as the kernel would run it.
struct SystemsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "systems",
        abstract: "Print the boot plan: each system in start order, enabled or why not, and what it needs and offers.")

    @Option(name: .long, help: "The configuration file (default: ./trellis.yaml when present).")
    var config: String?

    @Flag(name: .long, help: "Print JSON (one object with a `systems` array).")
    var json = false

    func run() async throws {
        let path = config ?? (FileManager.default.fileExists(atPath: "trellis.yaml") ? "trellis.yaml" : nil)
        let plan: BootPlan
        let manifests: [String: SystemManifest]
        do {
            let result = try ConfigCheck.plan(path: path)
            plan = result.plan
            manifests = Dictionary(uniqueKeysWithValues: result.manifests.map { ($0.id, $0) })
        } catch {
            var standardError = StandardError()
            print("error: \(error)", to: &standardError)
            throw ExitCode.failure
        }
        let rows: [JSONValue] = plan.order.map { id in
            let manifest = manifests[id]!
            var row: JSONObject = [
                "id": .string(id), "version": .string(manifest.version), "enabled": .bool(plan.disabled[id] == nil),
            ]
            if let reason = plan.disabled[id] { row["reason"] = .string(reason) }
            row["requires"] = .array(manifest.requires.map { .string($0) })
            row["provides"] = .array(manifest.provides.map { .string($0.name) })
            row["consumes"] = .array(manifest.consumes.map { .string($0.name) })
            return .object(row)
        }
        if json {
            print(JSONValue.object(["systems": .array(rows)]).serialized(.pretty))
            return
        }
        for row in rows {
            let enabled = row["enabled"]?.boolValue == true ? "enabled" : "disabled: \(row["reason"]?.stringValue ?? "")"
            print("\(row["id"]!.stringValue!) \(row["version"]!.stringValue!)  \(enabled)")
            for key in ["requires", "provides", "consumes"] {
                let values = row[key]?.arrayValue?.compactMap(\.stringValue) ?? []
                if !values.isEmpty { print("    \(key): \(values.joined(separator: ", "))") }
            }
        }
    }
}
