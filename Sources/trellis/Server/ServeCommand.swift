import ArgumentParser
import Foundation
import Logging
import TrellisServer

/// `trellis serve`: the backend, from one optional trellis.yaml and an embedded SQLite database.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the API declared in trellis.yaml (or the defaults when there is none).",
        discussion: """
            With no configuration Trellis serves on 127.0.0.1:8080 with SQLite in ./trellis-data/. \
            It reads ./trellis.yaml when present. SIGHUP re-reads the file (so does any change with \
            --watch): valid changes apply without dropping a request, an invalid file changes nothing. \
            SIGTERM or SIGINT shut down gracefully, letting in-flight requests finish.

            Environment variables TRELLIS_<SYSTEM>_<KEY> override any system's config \
            (TRELLIS_HTTP_PORT=9090). Exit status: 0 after a clean shutdown, 1 when the server \
            cannot start (the message says why).
            """)

    @Option(name: .long, help: "The configuration file (default: ./trellis.yaml when present).")
    var config: String?

    @Option(name: .long, help: "The address to listen on (default 127.0.0.1).")
    var host: String?

    @Option(name: .long, help: "The port to listen on (default 8080; 0 picks a free one).")
    var port: Int?

    @Option(name: .customLong("data-dir"), help: "Where the SQLite database and other data live.")
    var dataDirectory = "trellis-data"

    @Flag(name: .long, help: "Re-read the configuration file whenever it changes.")
    var watch = false

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        // Every line logged while a request is handled carries its `request_id`.
        LoggingSystem.bootstrap(
            { label, metadataProvider in ServerLogHandler(label: label, level: level, metadataProvider: metadataProvider) },
            metadataProvider: TrellisServer.logMetadataProvider)
        let logger = Logger(label: "trellis")
        let options = ServerOptions(configPath: config, host: host, port: port, dataDirectory: dataDirectory, watch: watch)
        do {
            let server = try TrellisServer(options: options, logger: logger)
            try await server.run { banner in
                // Written in one call and unbuffered, so scripts waiting for the banner see it at once.
                FileHandle.standardOutput.write(Data((banner + "\n").utf8))
            }
        } catch {
            var standardError = StandardError()
            print("error: \(error)", to: &standardError)
            throw ExitCode.failure
        }
    }
}
