internal import Foundation

/// Turns schema documents into a ``SchemaProgram``: indexes every resource (`$id`),
/// anchor and subschema, resolves every `$ref` eagerly (so a bad reference fails here,
/// not during validation), and compiles each reachable subschema once.
struct SchemaCompiler {
    struct Location: Hashable {
        var document: Int
        var tokens: [String]

        func appending(_ token: String) -> Location { Location(document: document, tokens: tokens + [token]) }
    }

    /// What the index knows about a subschema: its base URI (which names its resource) and dialect.
    struct Context {
        var base: String
        var dialect: SchemaDialect
    }

    let registry: SchemaRegistry
    let formatAssertion: Bool
    private(set) var documents: [JSONValue] = []
    private var resourceLocations: [String: Location] = [:]
    private var anchors: [String: Location] = [:]
    private var dynamicAnchors: [String: [String: Location]] = [:]
    private var recursiveAnchors: Set<String> = []
    private var contexts: [Location: Context] = [:]
    private var resourceIDs: [String: Int] = [:]
    private var resources: [SchemaResource] = []
    private var nodes: [SchemaNode] = []
    private var compiled: [Location: Int] = [:]

    init(registry: SchemaRegistry, formatAssertion: Bool) {
        self.registry = registry
        self.formatAssertion = formatAssertion
    }

    /// Compiles `document`, read as a resource at `baseURI`, into a program.
    mutating func compile(_ document: JSONValue, baseURI: String) throws(SchemaCompileError) -> SchemaProgram {
        let root = try addDocument(document, uri: baseURI)
        let rootNode = try node(at: root)
        return SchemaProgram(nodes: nodes, resources: resources, root: rootNode)
    }

    /// The dialect a document declares with `$schema`, or the default one.
    func dialect(of document: JSONValue) throws(SchemaCompileError) -> SchemaDialect {
        guard case .string(let uri)? = document["$schema"] else { return .default }
        return try dialect(named: uri)
    }

    // MARK: Indexing

    private mutating func addDocument(_ document: JSONValue, uri: String) throws(SchemaCompileError) -> Location {
        let location = Location(document: documents.count, tokens: [])
        documents.append(document)
        try index(document, at: location, base: uri, dialect: .default, isResourceRoot: true)
        if resourceLocations[uri] == nil { resourceLocations[uri] = location }
        return location
    }

    private mutating func index(
        _ value: JSONValue, at location: Location, base: String, dialect: SchemaDialect, isResourceRoot: Bool
    ) throws(SchemaCompileError) {
        guard case .object(let object) = value else {
            contexts[location] = Context(base: base, dialect: dialect)
            return
        }
        var base = base
        var dialect = dialect
        if case .string(let uri)? = object["$schema"], isResourceRoot || object["$id"] != nil {
            dialect = try self.dialect(named: uri)
        }
        // In draft-07 `$ref` makes every sibling keyword, `$id` included, be ignored.
        let referenceOnly = dialect.draft == .draft7 && object["$ref"] != nil
        if !referenceOnly, case .string(let id)? = object["$id"] {
            if dialect.draft == .draft7, id.hasPrefix("#") {
                anchors[URIReference.stripFragment(base) + id] = location
            } else {
                let (resolved, fragment) = URIReference.split(URIReference.resolve(id, against: base))
                base = resolved
                resourceLocations[base] = location
                if let fragment, !fragment.isEmpty { anchors[base + "#" + fragment] = location }
            }
        } else if isResourceRoot {
            resourceLocations[base] = resourceLocations[base] ?? location
        }
        if !referenceOnly {
            if dialect.draft != .draft7, case .string(let name)? = object["$anchor"] {
                anchors[base + "#" + name] = location
            }
            if dialect.draft == .draft2020_12, case .string(let name)? = object["$dynamicAnchor"] {
                anchors[base + "#" + name] = location
                dynamicAnchors[base, default: [:]][name] = location
            }
            if dialect.draft == .draft2019_09, object["$recursiveAnchor"] == .bool(true) {
                recursiveAnchors.insert(base)
            }
        }
        contexts[location] = Context(base: base, dialect: dialect)
        for (keyword, shape) in Self.subschemaKeywords(dialect.draft) {
            guard let child = object[keyword], !referenceOnly || keyword == "definitions" else { continue }
            let childLocation = location.appending(keyword)
            switch (shape, child) {
            case (.single, _), (.singleOrArray, .object), (.singleOrArray, .bool):
                try index(child, at: childLocation, base: base, dialect: dialect, isResourceRoot: false)
            case (.array, .array(let elements)), (.singleOrArray, .array(let elements)):
                for (offset, element) in elements.enumerated() {
                    try index(element, at: childLocation.appending(String(offset)), base: base, dialect: dialect, isResourceRoot: false)
                }
            case (.map, .object(let members)):
                for (name, member) in members where member.objectValue != nil || member.boolValue != nil {
                    try index(member, at: childLocation.appending(name), base: base, dialect: dialect, isResourceRoot: false)
                }
            default: continue
            }
        }
    }

    private enum Shape { case single, array, singleOrArray, map }

    private static func subschemaKeywords(_ draft: SchemaDialect.Draft) -> [(String, Shape)] {
        var keywords: [(String, Shape)] = [
            ("additionalProperties", .single), ("propertyNames", .single), ("not", .single),
            ("if", .single), ("then", .single), ("else", .single), ("contains", .single),
            ("allOf", .array), ("anyOf", .array), ("oneOf", .array),
            ("properties", .map), ("patternProperties", .map), ("definitions", .map),
        ]
        switch draft {
        case .draft2020_12:
            keywords += [
                ("items", .single), ("prefixItems", .array), ("$defs", .map), ("dependentSchemas", .map),
                ("unevaluatedItems", .single), ("unevaluatedProperties", .single), ("contentSchema", .single),
            ]
        case .draft2019_09:
            keywords += [
                ("items", .singleOrArray), ("additionalItems", .single), ("$defs", .map), ("dependentSchemas", .map),
                ("unevaluatedItems", .single), ("unevaluatedProperties", .single), ("contentSchema", .single),
            ]
        case .draft7:
            keywords += [("items", .singleOrArray), ("additionalItems", .single), ("dependencies", .map)]
        }
        return keywords
    }

    private func dialect(named uri: String) throws(SchemaCompileError) -> SchemaDialect {
        if let builtIn = SchemaDialect.builtIn(uri) { return builtIn }
        guard let metaSchema = try registry.document(at: uri) else {
            throw SchemaCompileError(
                code: .unknownDialect, location: uri,
                message:
                    "unknown $schema \"\(uri)\": use a 2020-12, 2019-09 or draft-07 meta-schema URI, or add that meta-schema to the registry"
            )
        }
        var dialect = SchemaDialect.default
        if case .string(let parent)? = metaSchema["$schema"], let builtIn = SchemaDialect.builtIn(parent) {
            dialect.draft = builtIn.draft
        }
        if case .object(let declared)? = metaSchema["$vocabulary"] {
            var vocabularies: SchemaDialect.Vocabularies = []
            for (vocabularyURI, required) in declared {
                if let known = SchemaDialect.vocabulary(vocabularyURI) {
                    vocabularies.formUnion(known)
                } else if required == .bool(true) {
                    throw SchemaCompileError(
                        code: .unsupportedVocabulary, location: uri,
                        message: "the meta-schema \(uri) requires the vocabulary \(vocabularyURI), which Trellis does not support")
                }
            }
            dialect.vocabularies = vocabularies
        }
        return dialect
    }

    // MARK: Resolution

    func value(at location: Location) -> JSONValue? {
        var current = documents[location.document]
        for token in location.tokens {
            switch current {
            case .object(let object):
                guard let next = object[token] else { return nil }
                current = next
            case .array(let array):
                guard let index = JSONPointer.arrayIndex(token), index < array.count else { return nil }
                current = array[index]
            default: return nil
            }
        }
        return current
    }

    /// The context of a location: its own when indexed, else that of its nearest indexed ancestor
    /// (a `$ref` may point anywhere in a document, even under a keyword Trellis does not know).
    func context(of location: Location) -> Context {
        var probe = location
        while true {
            if let context = contexts[probe] { return context }
            if probe.tokens.isEmpty { return Context(base: "", dialect: .default) }
            probe.tokens.removeLast()
        }
    }

    /// Resolves a `$ref`-style reference from a subschema to the location it names.
    mutating func resolve(_ reference: String, from context: Context, at location: Location) throws(SchemaCompileError)
        -> (location: Location, fragment: String?)
    {
        let absolute = URIReference.resolve(reference, against: context.base)
        let (uri, rawFragment) = URIReference.split(absolute)
        func unresolvable(_ why: String) -> SchemaCompileError {
            SchemaCompileError(
                code: .unresolvableReference, location: describe(location),
                message: "cannot resolve \"\(reference)\" (\(absolute)) at \(describe(location)): \(why)")
        }
        if resourceLocations[uri] == nil {
            guard let document = try registry.document(at: uri) else {
                throw unresolvable(
                    "no schema with the URI \(uri) is known; add it to the schema registry, or map its directory to a base URI")
            }
            _ = try addDocument(document, uri: uri)
        }
        guard let resource = resourceLocations[uri] else { throw unresolvable("the document does not define \(uri)") }
        let fragment = rawFragment.map { $0.removingPercentEncoding ?? $0 } ?? ""
        if fragment.isEmpty { return (resource, nil) }
        if fragment.hasPrefix("/") {
            let pointer: JSONPointer
            do { pointer = try JSONPointer(fragment) } catch { throw unresolvable("\(error.reason)") }
            let target = Location(document: resource.document, tokens: resource.tokens + pointer.tokens)
            guard value(at: target) != nil else { throw unresolvable("nothing exists at \(fragment) in \(uri)") }
            return (target, fragment)
        }
        guard let anchor = anchors[uri + "#" + fragment] else { throw unresolvable("no anchor named \"\(fragment)\" in \(uri)") }
        return (anchor, fragment)
    }

    func describe(_ location: Location) -> String {
        let context = context(of: location)
        let pointer = JSONPointer(tokens: location.tokens).description
        return "\(context.base)#\(pointer)"
    }

    // MARK: Compilation

    /// The node for the subschema at `location`, compiling it (and what it references) on first use.
    mutating func node(at location: Location) throws(SchemaCompileError) -> Int {
        if let existing = compiled[location] { return existing }
        guard let value = value(at: location) else {
            throw SchemaCompileError(
                code: .unresolvableReference, location: describe(location), message: "no subschema at \(describe(location))")
        }
        let index = nodes.count
        nodes.append(SchemaNode())
        compiled[location] = index
        let context = context(of: location)
        var node = SchemaNode(resource: try resource(context.base), draft: context.dialect.draft)
        switch value {
        case .bool(let flag): node.body = .always(flag)
        case .object(let object):
            node.keywords = try keywords(object, at: location, context: context)
        default:
            throw SchemaCompileError(
                code: .invalidKeyword, location: describe(location),
                message: "a schema must be an object or a boolean, not \(value.typeNameWithArticle), at \(describe(location))")
        }
        nodes[index] = node
        return index
    }

    private mutating func resource(_ uri: String) throws(SchemaCompileError) -> Int {
        if let existing = resourceIDs[uri] { return existing }
        let id = resources.count
        resourceIDs[uri] = id
        resources.append(SchemaResource(uri: uri, dynamicAnchors: [:], rootNode: -1, hasRecursiveAnchor: recursiveAnchors.contains(uri)))
        for (name, location) in dynamicAnchors[uri] ?? [:] {
            resources[id].dynamicAnchors[name] = try node(at: location)
        }
        if let root = resourceLocations[uri] { resources[id].rootNode = try node(at: root) }
        return id
    }
}
