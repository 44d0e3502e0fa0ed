internal import Foundation
internal import TrellisAdmin
internal import TrellisChaos
public import TrellisCore
internal import TrellisDatabase
internal import TrellisEndpoints
internal import TrellisHTTP
internal import TrellisJSON

/// What `trellis check` and `trellis systems` report, without opening the database or listening.
public enum ConfigCheck {
    /// Every problem in a config file (or in the defaults when `path` is `nil`), as
    /// `FILE:LINE: POINTER: message` lines: YAML syntax, unknown keys, each system's config
    /// against its schema, the boot plan, and every endpoint.
    public static func problems(path: String?, environment: [String: String] = [:]) async -> [String] {
        let config: TrellisConfig
        if let path {
            do {
                config = try TrellisConfig.load(path: path)
            } catch {
                return error.errors.map(\.description)
            }
        } else {
            config = .empty
        }
        return await problems(config, environment: environment)
    }

    /// Every problem in a loaded config, ordered by line: what `check` prints, `serve` refuses
    /// to start with, and a reload refuses to apply.
    static func problems(_ config: TrellisConfig, environment: [String: String]) async -> [String] {
        let kernel: Kernel
        do {
            kernel = try makeKernel(config, environment: environment)
        } catch let error as BootError {
            return error.problems.map { "\(config.file.fileName): \($0.message)" }
        } catch {
            return ["\(config.file.fileName): \(error)"]
        }
        let issues: [ConfigIssue]
        do {
            issues = try await kernel.configurationIssues()
        } catch {
            return ["\(config.file.fileName): \(error)"]
        }
        var located = issues.map { issue -> (line: Int?, text: String) in
            guard case .file(_, let line) = issue.source else { return (nil, issue.description) }
            return (line, render(issue, config: config))
        }
        if kernel.plan.disabled[EndpointsSystem.id] == nil {
            located += endpointProblems(config, alreadyReported: issues.filter { $0.systemID == EndpointsSystem.id })
        }
        // Stable, so problems on one line keep the order they were found in; unlocated ones go last.
        return located.enumerated().sorted { left, right in
            switch (left.element.line, right.element.line) {
            case (let a?, let b?) where a != b: a < b
            case (_?, nil): true
            case (nil, _?): false
            default: left.offset < right.offset
            }
        }.map(\.element.text)
    }

    /// What the endpoints system's own check finds beyond its schema (path syntax, `mode: flow`,
    /// templates, document schemas, colliding routes), located in the file's `endpoints:` list.
    private static func endpointProblems(_ config: TrellisConfig, alreadyReported: [ConfigIssue]) -> [(line: Int?, text: String)] {
        let entry = config.file.systems[EndpointsSystem.id]
        let manifest = EndpointsSystem().manifest
        let endpoints = manifest.defaults.merged(with: entry?.config ?? .object([:]))
        let reported = Set(alreadyReported.map { "\($0.pointer) \($0.message)" })
        return EndpointsSystem.check(config: endpoints).compactMap { error in
            guard !reported.contains("\(error.instanceLocation) \(error.message)") else { return nil }
            var line: Int?
            var probe: JSONPointer? = error.instanceLocation
            while line == nil, let current = probe {
                line = entry?.lines[current]
                probe = current.parent
            }
            let location = config.file.fileName + (line.map { ":\($0)" } ?? "")
            return (line, "\(location): \(error.instanceLocation): \(error.message)")
        }
    }

    /// The boot plan for a config file, for `trellis systems`.
    public static func plan(path: String?) throws -> (plan: BootPlan, manifests: [SystemManifest]) {
        let config = try path.map { try TrellisConfig.load(path: $0) } ?? .empty
        let systems = builtInSystems(config)
        let kernel = try Kernel(systems: systems, file: config.file, environment: [:])
        return (kernel.plan, systems.map(\.manifest))
    }

    /// The built-in systems as `serve` installs them, for their manifests only: nothing is started.
    static func builtInSystems(_ config: TrellisConfig) -> [any System] {
        TrellisServer.builtInSystems(
            config, http: HTTPSystem(), database: ManifestOnly(manifest: DatabaseSystem.plannedManifest),
            admin: AdminSystem(dataDirectory: nil), info: ServerInfoSystem(name: config.name))
    }

    static func makeKernel(_ config: TrellisConfig, environment: [String: String]) throws -> Kernel {
        try Kernel(systems: builtInSystems(config), file: config.file, environment: environment, store: InMemoryConfigStore())
    }

    /// An issue located in the file as the user wrote it: `server:` for http, `endpoints:`
    /// for the endpoints system, `systems.<id>.config` otherwise.
    static func render(_ issue: ConfigIssue, config: TrellisConfig) -> String {
        guard case .file(let name, let line) = issue.source else { return issue.description }
        let pointer: JSONPointer
        switch issue.systemID {
        case "http": pointer = JSONPointer(tokens: ["server"] + issue.pointer.tokens)
        case "endpoints" where issue.pointer.tokens.first == "endpoints": pointer = issue.pointer
        default: pointer = JSONPointer(tokens: ["systems", issue.systemID, "config"] + issue.pointer.tokens)
        }
        return "\(name)\(line.map { ":\($0)" } ?? ""): \(pointer): \(issue.message)"
    }
}

/// A system reduced to its manifest, for planning and checking without opening resources.
struct ManifestOnly: System {
    let manifest: SystemManifest
}
