public import Logging
internal import Synchronization

#if canImport(Glibc)
    internal import Glibc
#elseif canImport(Darwin)
    internal import Darwin
#endif

#if canImport(Glibc)
    private let systemWrite = Glibc.write
#else
    private let systemWrite = Darwin.write
#endif

/// The log handler `trellis serve` bootstraps: lines in `StreamLogHandler`'s format on standard
/// error, at a fraction of its cost per line and with none per metadata change.
///
/// `StreamLogHandler` formats its metadata again each time a key is set (Hummingbird sets
/// `hb.request.id` on a copy of the logger for every request, so every request paid for a sort
/// and a string it almost never printed), and for each line it writes it merges three metadata
/// dictionaries into a new one and asks `localtime` for the time. This handler stores metadata
/// as it is set and, for a line, merges the handler's, the provider's and the call's metadata
/// (each overriding the one before) in a small array, and reads the local time once a second.
/// The line is the same: `2026-11-22T03:10:13+0000 info trellis: key=value … [source] message`.
public struct ServerLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let stream: any TextOutputStream & Sendable
    /// `stream` again when it takes bytes (standard error): the line is written without being
    /// made a `String` first.
    private let sink: (any LogLineSink)?

    /// A handler writing to standard error at `level`.
    public init(label: String, level: Logger.Level, metadataProvider: Logger.MetadataProvider?) {
        self.init(label: label, level: level, metadataProvider: metadataProvider, stream: StandardErrorStream())
    }

    /// A handler writing to `stream` at `level`.
    public init(label: String, level: Logger.Level, metadataProvider: Logger.MetadataProvider?, stream: any TextOutputStream & Sendable) {
        self.label = label
        self.logLevel = level
        self.metadataProvider = metadataProvider
        self.stream = stream
        self.sink = stream as? any LogLineSink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        // Each source's keys are unique, so a key needs looking up only among the sources
        // before its own; later sources override earlier ones.
        var entries: [(key: String, value: Logger.Metadata.Value)] = []
        entries.reserveCapacity(metadata.count + (event.metadata?.count ?? 0) + 4)
        var earlier = 0
        func add(_ key: String, _ value: Logger.Metadata.Value) {
            if let index = entries[..<earlier].firstIndex(where: { $0.key == key }) {
                entries[index].value = value
            } else {
                entries.append((key, value))
            }
        }
        for (key, value) in metadata { entries.append((key, value)) }
        if let provided = metadataProvider?.get() {
            earlier = entries.count
            for (key, value) in provided { add(key, value) }
        }
        if let explicit = event.metadata {
            earlier = entries.count
            for (key, value) in explicit { add(key, value) }
        }
        if let error = event.error {
            earlier = entries.count
            add("error.message", "\(error)")
            add("error.type", "\(String(reflecting: type(of: error)))")
        }
        // Built as UTF-8 bytes: appending to a `String` cost about ten times as much per piece.
        var line: [UInt8] = []
        line.reserveCapacity(256)
        line.append(contentsOf: Self.timestamp().utf8)
        line.append(UInt8(ascii: " "))
        line.append(contentsOf: event.level.rawValue.utf8)
        if !label.isEmpty {
            line.append(UInt8(ascii: " "))
            line.append(contentsOf: label.utf8)
        }
        line.append(UInt8(ascii: ":"))
        if !entries.isEmpty {
            entries.sort { $0.key < $1.key }
            for entry in entries {
                line.append(UInt8(ascii: " "))
                line.append(contentsOf: entry.key.utf8)
                line.append(UInt8(ascii: "="))
                Self.append(entry.value, to: &line)
            }
        }
        line.append(contentsOf: " [".utf8)
        line.append(contentsOf: event.source.utf8)
        line.append(contentsOf: "] ".utf8)
        line.append(contentsOf: event.message.description.utf8)
        line.append(UInt8(ascii: "\n"))
        if let sink {
            line.withUnsafeBufferPointer { sink.write(utf8: $0) }
        } else {
            var stream = stream
            stream.write(String(decoding: line, as: UTF8.self))
        }
    }

    /// `value` as `StreamLogHandler` writes it (its `description`), without an intermediate
    /// string for the common kinds.
    private static func append(_ value: Logger.Metadata.Value, to line: inout [UInt8]) {
        switch value {
        case .string(let string): line.append(contentsOf: string.utf8)
        case .stringConvertible(let convertible): line.append(contentsOf: convertible.description.utf8)
        case .array, .dictionary: line.append(contentsOf: value.description.utf8)
        }
    }

    /// The local time as `StreamLogHandler` writes it (`%Y-%m-%dT%H:%M:%S%z`), formatted once a second.
    static func timestamp() -> String {
        var now = time(nil)
        if let cached = lastTimestamp.withLock({ $0.second == now ? $0.text : nil }) { return cached }
        var local = tm()
        guard localtime_r(&now, &local) != nil else { return "<unknown>" }
        var buffer = [CChar](repeating: 0, count: 64)
        guard strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%S%z", &local) > 0 else { return "<unknown>" }
        let text = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        lastTimestamp.withLock { $0 = (now, text) }
        return text
    }

    private static let lastTimestamp = Mutex<(second: time_t, text: String)>((-1, ""))
}

/// A stream a ``ServerLogHandler`` can hand a line's UTF-8 bytes.
protocol LogLineSink: Sendable {
    func write(utf8 line: UnsafeBufferPointer<UInt8>)
}

/// Standard error (file descriptor 2), one `write` per line, under a lock so that lines of
/// different threads never mix; nothing is buffered.
struct StandardErrorStream: TextOutputStream, LogLineSink {
    private static let lock = Mutex(())

    mutating func write(_ string: String) {
        var string = string
        string.withUTF8 { write(utf8: $0) }
    }

    func write(utf8 line: UnsafeBufferPointer<UInt8>) {
        guard var next = line.baseAddress else { return }
        var left = line.count
        Self.lock.withLock { _ in
            while left > 0 {
                let written = systemWrite(2, next, left)
                if written < 0 {
                    if errno == EINTR { continue }
                    return
                }
                next += written
                left -= written
            }
        }
    }
}
