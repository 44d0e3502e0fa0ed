public import Logging

/// The log handler `trellis serve` bootstraps: `StreamLogHandler`'s output on standard error,
/// without its cost per metadata change.
///
/// `StreamLogHandler` formats its metadata again each time a key is set. Hummingbird sets one
/// (`hb.request.id`) on a copy of the logger for every request, so with it every request paid
/// for a sort and a string it almost never printed. This handler only stores metadata when it
/// is set and formats it when a line is written; the line is the same: the handler's metadata,
/// then the metadata provider's, then the call's, each overriding the one before.
public struct ServerLogHandler: LogHandler {
    public var logLevel: Logger.Level {
        get { output.logLevel }
        set { output.logLevel = newValue }
    }
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    /// Writes the line; holds no metadata of its own, so nothing is formatted before a line is.
    private var output: StreamLogHandler

    /// A handler writing to standard error at `level`.
    public init(label: String, level: Logger.Level, metadataProvider: Logger.MetadataProvider?) {
        self.init(
            label: label, level: level, metadataProvider: metadataProvider, output: .standardError(label: label, metadataProvider: nil))
    }

    /// A handler writing to `stream` at `level`.
    public init(label: String, level: Logger.Level, metadataProvider: Logger.MetadataProvider?, stream: any TextOutputStream & Sendable) {
        self.init(
            label: label, level: level, metadataProvider: metadataProvider,
            output: StreamLogHandler(label: label, stream: stream, metadataProvider: nil))
    }

    private init(label: String, level: Logger.Level, metadataProvider: Logger.MetadataProvider?, output: StreamLogHandler) {
        self.metadataProvider = metadataProvider
        self.output = output
        self.output.logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var event = event
        var merged = metadata
        if let provided = metadataProvider?.get(), !provided.isEmpty {
            merged.merge(provided) { _, provided in provided }
        }
        if let explicit = event.metadata, !explicit.isEmpty {
            merged.merge(explicit) { _, explicit in explicit }
        }
        event.metadata = merged
        output.log(event: event)
    }
}
