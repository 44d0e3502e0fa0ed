/// A JSON Schema dialect: the draft a schema is written in and the vocabularies it uses.
public struct SchemaDialect: Sendable, Hashable {
    /// The published drafts Trellis understands.
    public enum Draft: String, Sendable, Hashable, CaseIterable {
        case draft2020_12 = "https://json-schema.org/draft/2020-12/schema"
        case draft2019_09 = "https://json-schema.org/draft/2019-09/schema"
        case draft7 = "http://json-schema.org/draft-07/schema"
    }

    /// The groups of keywords a dialect can switch on or off through `$vocabulary`.
    public struct Vocabularies: OptionSet, Sendable, Hashable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }

        public static let core = Vocabularies(rawValue: 1 << 0)
        public static let applicator = Vocabularies(rawValue: 1 << 1)
        public static let unevaluated = Vocabularies(rawValue: 1 << 2)
        public static let validation = Vocabularies(rawValue: 1 << 3)
        public static let metaData = Vocabularies(rawValue: 1 << 4)
        public static let formatAnnotation = Vocabularies(rawValue: 1 << 5)
        public static let formatAssertion = Vocabularies(rawValue: 1 << 6)
        public static let content = Vocabularies(rawValue: 1 << 7)

        public static let standard: Vocabularies = [
            .core, .applicator, .unevaluated, .validation, .metaData, .formatAnnotation, .content,
        ]
    }

    public var draft: Draft
    public var vocabularies: Vocabularies

    public init(draft: Draft, vocabularies: Vocabularies = .standard) {
        self.draft = draft
        self.vocabularies = vocabularies
    }

    /// The dialect a schema without `$schema` is read as.
    public static let `default` = SchemaDialect(draft: .draft2020_12)

    /// The dialect of a built-in meta-schema URI (with or without a trailing `#`).
    static func builtIn(_ uri: String) -> SchemaDialect? {
        let trimmed = URIReference.stripFragment(uri)
        return Draft.allCases.first { $0.rawValue == trimmed }.map { SchemaDialect(draft: $0) }
    }

    /// Maps a `$vocabulary` URI to its vocabulary; `nil` for one Trellis does not know.
    static func vocabulary(_ uri: String) -> Vocabularies? {
        let prefixes = ["https://json-schema.org/draft/2020-12/vocab/", "https://json-schema.org/draft/2019-09/vocab/"]
        guard let prefix = prefixes.first(where: uri.hasPrefix) else { return nil }
        switch uri.dropFirst(prefix.count) {
        case "core": return .core
        case "applicator": return prefix.contains("2019") ? [.applicator, .unevaluated] : .applicator
        case "unevaluated": return .unevaluated
        case "validation": return .validation
        case "meta-data": return .metaData
        case "format", "format-annotation": return .formatAnnotation
        case "format-assertion": return .formatAssertion
        case "content": return .content
        default: return nil
        }
    }
}
