public import Foundation
public import TrellisJSON

/// An event envelope: what happened (`name`), who said so (`source`), when, and a JSON payload.
public struct Event: Sendable, Identifiable {
    public let id: UUID
    /// Namespaced name, `domain.action` (`user.created`).
    public let name: String
    /// The id of the system that emitted it.
    public let source: String
    public let timestamp: Date
    /// Ties together the events of one request or job; a new one is made when none is given.
    public let correlationID: String
    public let payload: JSONValue

    public init(
        id: UUID = UUID(), name: String, source: String, timestamp: Date = Date(), payload: JSONValue = .null,
        correlationID: String? = nil
    ) {
        self.id = id
        self.name = name
        self.source = source
        self.timestamp = timestamp
        self.correlationID = correlationID ?? id.uuidString
        self.payload = payload
    }

    /// Decodes the payload into a `Decodable` type.
    public func payload<T: Decodable>(as type: T.Type) throws -> T {
        try payload.decode(as: type)
    }
}

/// How one handler fared with an event delivered by `emitAndWait`.
public struct HandlerOutcome: Sendable {
    public let systemID: String
    public let pattern: String
    /// `nil` when the handler succeeded.
    public let error: (any Error)?

    public var succeeded: Bool { error == nil }
}

/// What happens to an event that arrives at a subscriber whose queue is full.
public enum OverflowPolicy: Sendable, Hashable {
    /// The arriving event is dropped and counted; events already queued are kept (the default).
    case dropNewest
    /// The oldest queued event is dropped and counted to make room for the arriving one.
    case dropOldest
}

/// Rules for event names and subscription patterns.
public enum EventName {
    /// Whether `name` is a valid event name: two or more lowercase segments joined by dots.
    public static func isValid(_ name: String) -> Bool {
        let segments = name.split(separator: ".", omittingEmptySubsequences: false)
        return segments.count >= 2 && segments.allSatisfy(isSegment)
    }

    /// Whether `pattern` is a valid subscription: an event name, `prefix.*`, or `*`.
    public static func isValidPattern(_ pattern: String) -> Bool {
        if pattern == "*" { return true }
        if pattern.hasSuffix(".*") {
            let prefix = pattern.dropLast(2).split(separator: ".", omittingEmptySubsequences: false)
            return !prefix.isEmpty && prefix.allSatisfy(isSegment)
        }
        return isValid(pattern)
    }

    /// Whether `name` matches `pattern`: `*` matches all, `user.*` matches every name under `user.`.
    public static func matches(_ name: String, pattern: String) -> Bool {
        if pattern == "*" { return true }
        if pattern.hasSuffix(".*") { return name.hasPrefix(pattern.dropLast()) }
        return name == pattern
    }

    private static func isSegment(_ segment: Substring) -> Bool {
        guard let first = segment.first, first.isASCII, first.isLowercase else { return false }
        return segment.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }
    }
}
