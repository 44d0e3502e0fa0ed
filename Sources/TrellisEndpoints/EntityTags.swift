internal import Foundation
internal import HTTPTypes
internal import Hummingbird

/// A document's strong entity tag is its version, quoted: `ETag: "3"`.
enum EntityTags {
    static func tag(version: Int) -> String { "\"\(version)\"" }

    /// What an `If-Match` or `If-None-Match` header asks for.
    enum Condition: Equatable {
        /// `*`: any current version.
        case any
        /// The listed opaque tags (without quotes); weak tags are dropped, as strong comparison requires.
        case tags([String])

        /// Whether a document at `version` satisfies the condition.
        func matches(version: Int) -> Bool {
            switch self {
            case .any: true
            case .tags(let tags): tags.contains(String(version))
            }
        }
    }

    /// The condition in the header named `name`; `nil` when the request has none.
    static func condition(_ name: HTTPField.Name, in headers: HTTPFields) -> Condition? {
        let values = headers[values: name]
        guard !values.isEmpty else { return nil }
        var tags: [String] = []
        for value in values {
            for item in value.split(separator: ",") {
                let item = item.trimmingCharacters(in: .whitespaces)
                if item == "*" { return .any }
                if item.count >= 2, item.hasPrefix("\""), item.hasSuffix("\"") {
                    tags.append(String(item.dropFirst().dropLast()))
                }
            }
        }
        return .tags(tags)
    }

    /// The header's text as the client sent it, for messages.
    static func text(_ name: HTTPField.Name, in headers: HTTPFields) -> String {
        headers[values: name].joined(separator: ", ")
    }
}
