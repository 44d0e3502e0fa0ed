// The baseline for scripts/bench-http: Hummingbird with nothing of Trellis in front of it.
//
// One route, `GET /hello`, answering the same small JSON document that the benchmark's
// Trellis `mock` endpoint serves, serialized once at start as Trellis does for a constant
// body. No middleware, so no access log; the logger only shows warnings and errors.
//
//     bare-hummingbird [PORT]     (default 8080, on 127.0.0.1)
import Hummingbird
import Logging

let port = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 8080
let body = ByteBuffer(string: #"{"message":"Hello, World!"}"#)

let router = Router()
router.get("hello") { _, _ in
    Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: body))
}

var logger = Logger(label: "bare-hummingbird")
logger.logLevel = .warning
let app = Application(
    router: router,
    configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: port), serverName: "bare-hummingbird"),
    logger: logger)
try await app.runService()
