import Logging
import Synchronization
import Testing
import TrellisServer

/// `trellis serve`'s log handler keeps metadata as it is set and merges it when a line is
/// written: the handler's, then the provider's, then the call's.
struct ServerLogHandlerTests {
    @Test func metadataIsMergedWithTheProviderAndTheCallWhenALineIsWritten() {
        let lines = Lines()
        let provider = Logger.MetadataProvider { ["request_id": "r-1", "shared": "provider"] }
        var handler = ServerLogHandler(label: "test", level: .info, metadataProvider: provider, stream: lines)
        handler[metadataKey: "system"] = "http"
        handler[metadataKey: "shared"] = "handler"
        #expect(handler[metadataKey: "system"] == "http")
        #expect(handler.metadata == ["system": "http", "shared": "handler"])
        #expect(handler.logLevel == .info)
        handler.logLevel = .warning
        #expect(handler.logLevel == .warning)

        handler.log(
            event: LogEvent(
                level: .warning, message: "careful", metadata: ["call": "1", "system": "call"], source: "Tests", file: #fileID,
                function: #function, line: #line))
        handler.metadataProvider = nil
        handler.log(
            event: LogEvent(
                level: .error, message: "plain", metadata: nil, source: "Tests", file: #fileID, function: #function, line: #line))

        let written = lines.text.split(separator: "\n")
        #expect(written.count == 2)
        // `StreamLogHandler`'s timestamp: local time, `%Y-%m-%dT%H:%M:%S%z`.
        let stamp = String(written.first?.prefix(24) ?? "")
        #expect(
            stamp.count == 24
                && stamp.enumerated().allSatisfy { index, character in
                    switch index {
                    case 4, 7: character == "-"
                    case 10: character == "T"
                    case 13, 16: character == ":"
                    case 19: character == "+" || character == "-"
                    default: character.isNumber
                    }
                }, "\(stamp)")
        #expect(
            written.first?.hasSuffix(" warning test: call=1 request_id=r-1 shared=provider system=call [Tests] careful") == true,
            "\(written)")
        #expect(written.last?.hasSuffix(" error test: shared=handler system=http [Tests] plain") == true, "\(written)")
    }

    @Test func everyKindOfValueIsWrittenAsItsDescriptionLikeStreamLogHandlerDoes() {
        let lines = Lines()
        let handler = ServerLogHandler(label: "kinds", level: .info, metadataProvider: nil, stream: lines)
        let values: [String: Logger.MetadataValue] = [
            "a_string": "text", "b_number": .stringConvertible(200), "c_array": ["x", .stringConvertible(2)],
            "d_dictionary": ["k": "v"],
        ]
        handler.log(
            event: LogEvent(level: .info, message: "m", metadata: values, source: "S", file: #fileID, function: #function, line: #line))
        let expected = values.sorted { $0.key < $1.key }.map { " \($0.key)=\($0.value.description)" }.joined()
        #expect(lines.text.hasSuffix(" info kinds:\(expected) [S] m\n"), "\(lines.text)")
    }

    @Test func aLoggerBootstrappedWithItCarriesTheLevel() {
        let lines = Lines()
        let logger = Logger(label: "level") { label in ServerLogHandler(label: label, level: .warning, metadataProvider: nil, stream: lines)
        }
        logger.info("not written")
        logger.warning("written")
        #expect(lines.text.contains("written"))
        #expect(!lines.text.contains("not written"))
    }
}

/// A stream that keeps what is written.
private final class Lines: TextOutputStream, Sendable {
    private let storage = Mutex("")
    var text: String { storage.withLock { $0 } }
    func write(_ string: String) { storage.withLock { $0 += string } }
}
