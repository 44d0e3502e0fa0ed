// `guard-overhead-server --config FILE --port PORT --data-dir DIR --hook-systems N [--hook-kind async|sync]`:
// `trellis serve`'s composition (TrellisServer) plus N systems whose request hooks do nothing (async
// `RequestHooks`, or `SynchronousRequestHooks`), so that scripts/bench-guards can load the same
// endpoint with 0 and with 10 guarded hook systems.

import Foundation
import Logging
import TrellisServer

var arguments = CommandLine.arguments.dropFirst()
var options: [String: String] = [:]
while let name = arguments.popFirst() {
    guard name.hasPrefix("--"), let value = arguments.popFirst() else {
        FileHandle.standardError.write(
            Data("usage: guard-overhead-server --config FILE --port PORT --data-dir DIR --hook-systems N [--hook-kind async|sync]\n".utf8))
        exit(64)
    }
    options[String(name.dropFirst(2))] = value
}

let hookKind = options["hook-kind"] ?? "async"
guard hookKind == "async" || hookKind == "sync" else {
    FileHandle.standardError.write(Data("guard-overhead-server: --hook-kind is async or sync, not \(hookKind)\n".utf8))
    exit(64)
}

// As `trellis serve` bootstraps logging, at the level bench-http runs it with.
LoggingSystem.bootstrap(
    { label, metadataProvider in ServerLogHandler(label: label, level: .warning, metadataProvider: metadataProvider) },
    metadataProvider: TrellisServer.logMetadataProvider)
let logger = Logger(label: "guard-overhead-server")
let server = try TrellisServer(
    options: ServerOptions(
        configPath: options["config"], port: options["port"].flatMap(Int.init), dataDirectory: options["data-dir"] ?? "trellis-data",
        benchmarkHookSystems: options["hook-systems"].flatMap(Int.init) ?? 0, benchmarkHooksSynchronous: hookKind == "sync"),
    logger: logger)
try await server.run()
