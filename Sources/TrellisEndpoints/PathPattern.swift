/// An endpoint's path as written in the config: literal segments and `{name}` parameters
/// (`/items/{id}`), checked once so that routes never see a malformed pattern.
struct PathPattern: Sendable, Hashable, CustomStringConvertible {
    enum Segment: Sendable, Hashable {
        case literal(String)
        case parameter(String)
    }

    let segments: [Segment]

    /// Parses `text`.
    /// - Throws: an ``InvalidSetting`` whose message says what to change.
    init(parsing text: String) throws(InvalidSetting) {
        guard text.hasPrefix("/") else { throw InvalidSetting("the path must start with '/'") }
        guard text != "/" else {
            segments = []
            return
        }
        if text.hasSuffix("/") { throw InvalidSetting("the path must not end with '/'") }
        var segments: [Segment] = []
        for raw in text.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            guard !raw.isEmpty else { throw InvalidSetting("the path has an empty segment ('//')") }
            if raw.hasPrefix("{") || raw.hasSuffix("}") {
                let name = raw.dropFirst().dropLast()
                guard raw.hasPrefix("{"), raw.hasSuffix("}"), Self.isParameterName(name) else {
                    throw InvalidSetting(
                        "'\(raw)' is not a valid parameter: write {name} as a whole segment, with letters, digits and underscores, not starting with a digit"
                    )
                }
                if segments.contains(.parameter(String(name))) {
                    throw InvalidSetting("the parameter {\(name)} appears more than once")
                }
                segments.append(.parameter(String(name)))
            } else {
                guard raw.unicodeScalars.allSatisfy(Self.isLiteralCharacter) else {
                    throw InvalidSetting(
                        "the segment '\(raw)' has characters a path cannot match literally: use letters, digits and - . _ ~ ! $ & ' ( ) + , ; = @"
                    )
                }
                segments.append(.literal(String(raw)))
            }
        }
        self.segments = segments
    }

    init(segments: [Segment]) {
        self.segments = segments
    }

    /// The pattern as written: `/items/{id}`.
    var description: String {
        "/"
            + segments.map { segment in
                switch segment {
                case .literal(let text): text
                case .parameter(let name): "{\(name)}"
                }
            }.joined(separator: "/")
    }

    /// The pattern with parameter names erased (`/items/{}`): two routes with one shape collide.
    var shape: String {
        "/"
            + segments.map { segment in
                switch segment {
                case .literal(let text): text
                case .parameter: "{}"
                }
            }.joined(separator: "/")
    }

    var parameterNames: [String] {
        segments.compactMap { segment in
            if case .parameter(let name) = segment { name } else { nil }
        }
    }

    func appending(_ segment: Segment) -> PathPattern {
        PathPattern(segments: segments + [segment])
    }

    static func isParameterName(_ name: Substring) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic) else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }

    /// RFC 3986 `pchar` without `%` (no escapes), `:` and `*` (route syntax in Hummingbird).
    private static func isLiteralCharacter(_ scalar: Unicode.Scalar) -> Bool {
        guard scalar.isASCII else { return false }
        if ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) { return true }
        return "-._~!$&'()+,;=@".unicodeScalars.contains(scalar)
    }
}

/// Why one config value is invalid, in a sentence that says what to change.
struct InvalidSetting: Error, Sendable {
    let message: String

    init(_ message: String) {
        self.message = message
    }
}
