internal import Foundation

/// The few URI operations `$id` and `$ref` need (RFC 3986 §5.2 reference resolution).
enum URIReference {
    /// Splits off the fragment: `("http://x/y.json", "/a/b")` for `http://x/y.json#/a/b`.
    static func split(_ uri: String) -> (base: String, fragment: String?) {
        guard let hash = uri.firstIndex(of: "#") else { return (uri, nil) }
        return (String(uri[..<hash]), String(uri[uri.index(after: hash)...]))
    }

    /// `uri` without its fragment.
    static func stripFragment(_ uri: String) -> String { split(uri).base }

    /// Resolves `reference` against the absolute `base` URI.
    static func resolve(_ reference: String, against base: String) -> String {
        let ref = Components(reference)
        if ref.scheme != nil { return ref.normalized() }
        var target = Components(base)
        target.fragment = ref.fragment
        if let authority = ref.authority {
            target.authority = authority
            target.path = removeDotSegments(ref.path)
            target.query = ref.query
            return target.normalized()
        }
        if ref.path.isEmpty {
            if ref.query != nil { target.query = ref.query }
            return target.normalized()
        }
        target.query = ref.query
        if ref.path.hasPrefix("/") {
            target.path = removeDotSegments(ref.path)
        } else if target.authority != nil, target.path.isEmpty {
            target.path = removeDotSegments("/" + ref.path)
        } else if let slash = target.path.lastIndex(of: "/") {
            target.path = removeDotSegments(String(target.path[...slash]) + ref.path)
        } else {
            // A base without a hierarchical path (a URN): the reference replaces the path.
            target.path = removeDotSegments(ref.path)
        }
        return target.normalized()
    }

    /// Whether the string starts with a URI scheme (`http:`, `urn:`, `tag:`).
    static func isAbsolute(_ uri: String) -> Bool { Components(uri).scheme != nil }

    private static func removeDotSegments(_ path: String) -> String {
        guard path.contains(".") else { return path }
        var output: [Substring] = []
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        for (index, segment) in segments.enumerated() {
            let isLast = index == segments.count - 1
            switch segment {
            case ".": if isLast { output.append("") }
            case "..":
                if output.count > 1 { output.removeLast() }
                if isLast { output.append("") }
            default: output.append(segment)
            }
        }
        return output.joined(separator: "/")
    }

    private struct Components {
        var scheme: String?
        var authority: String?
        var path: String
        var query: String?
        var fragment: String?

        init(_ uri: String) {
            var rest = Substring(uri)
            if let hash = rest.firstIndex(of: "#") {
                fragment = String(rest[rest.index(after: hash)...])
                rest = rest[..<hash]
            }
            if let question = rest.firstIndex(of: "?") {
                query = String(rest[rest.index(after: question)...])
                rest = rest[..<question]
            }
            if let colon = rest.firstIndex(of: ":"), colon != rest.startIndex,
                rest[..<colon].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == "." }),
                rest.first!.isLetter
            {
                scheme = String(rest[..<colon])
                rest = rest[rest.index(after: colon)...]
            }
            if rest.hasPrefix("//") {
                rest = rest.dropFirst(2)
                let end = rest.firstIndex(of: "/") ?? rest.endIndex
                authority = String(rest[..<end])
                rest = rest[end...]
            }
            path = String(rest)
        }

        func normalized() -> String {
            var result = ""
            if let scheme { result += scheme.lowercased() + ":" }
            if let authority { result += "//" + authority }
            result += path
            if let query { result += "?" + query }
            if let fragment { result += "#" + fragment }
            return result
        }
    }
}
