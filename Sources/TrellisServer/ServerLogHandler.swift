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
        var line = ""
        line.reserveCapacity(256)
        line += Self.timestamp()
        line += " "
        line += event.level.rawValue
        if !label.isEmpty {
            line += " "
            line += label
        }
        line += ":"
        if !entries.isEmpty {
            entries.sort { $0.key < $1.key }
            for entry in entries {
                line += " "
                line += entry.key
                line += "="
                Self.append(entry.value, to: &line)
            }
        }
        line += " ["
        line += event.source
        line += "] "
        line += event.message.description
        line += "\n"
        var stream = stream
        stream.write(line)
    }

    /// `value` as `StreamLogHandler` writes it (its `description`), without an intermediate
    /// string for the common kinds.
    private static func append(_ value: Logger.Metadata.Value, to line: inout String) {
        switch value {
        case .string(let string): line += string
        case .stringConvertible(let convertible): line += convertible.description
        case .array, .dictionary: line += value.description
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

/// Standard error (file descriptor 2), one `write` per line, under a lock so that lines of
/// different threads never mix; nothing is buffered.
struct StandardErrorStream: TextOutputStream, Sendable {
    private static let lock = Mutex(())

    mutating func write(_ string: String) {
        var string = string
        string.withUTF8 { bytes in
            guard var next = bytes.baseAddress else { return }
            var left = bytes.count
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
}
