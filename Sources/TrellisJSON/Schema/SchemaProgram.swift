/// A compiled schema: a graph of nodes addressed by index, so `$ref` cycles need no
/// references between objects and the whole program is an immutable, shareable value.
final class SchemaProgram: Sendable {
    let nodes: [SchemaNode]
    let resources: [SchemaResource]
    let root: Int
    /// Whether any node uses `unevaluatedProperties` / `unevaluatedItems`, which need annotations.
    let needsAnnotations: Bool

    init(nodes: [SchemaNode], resources: [SchemaResource], root: Int) {
        self.nodes = nodes
        self.resources = resources
        self.root = root
        self.needsAnnotations = nodes.contains { node in
            node.keywords.contains {
                switch $0.kind {
                case .unevaluatedItems, .unevaluatedProperties: true
                default: false
                }
            }
        }
    }
}

/// A schema resource (a document root or a subschema with `$id`): the unit of dynamic scope.
struct SchemaResource: Sendable {
    let uri: String
    /// `$dynamicAnchor` names declared in this resource, with the node each names.
    var dynamicAnchors: [String: Int]
    /// The resource root's node, for 2019-09 `$recursiveRef`.
    var rootNode: Int
    var hasRecursiveAnchor: Bool
}

/// One compiled subschema.
struct SchemaNode: Sendable {
    enum Body: Sendable {
        case always(Bool)
        case keywords
    }

    var body: Body = .keywords
    var keywords: [Keyword] = []
    /// The resource this subschema belongs to (index into `SchemaProgram.resources`).
    var resource: Int = 0
    var draft: SchemaDialect.Draft = .draft2020_12
}

/// One keyword with its compiled argument and its name as it appears in the schema.
///
/// A class, not a struct: the evaluator reads every keyword of every subschema it visits.
/// Out of a struct, each read copied the whole `Kind` (a value-witness call that retains its
/// payload, and a release after); a class costs one retain, and the evaluator switches on
/// its immutable `kind` in place.
final class Keyword: Sendable {
    let name: String
    let kind: Kind

    init(name: String, kind: Kind) {
        self.name = name
        self.kind = kind
    }

    enum Kind: Sendable {
        case type(TypeSet)
        case enumeration([JSONValue])
        case constant(JSONValue)
        case multipleOf(JSONNumber)
        case maximum(JSONNumber)
        case exclusiveMaximum(JSONNumber)
        case minimum(JSONNumber)
        case exclusiveMinimum(JSONNumber)
        case maxLength(Int)
        case minLength(Int)
        case pattern(Pattern)
        case maxItems(Int)
        case minItems(Int)
        case uniqueItems
        case maxProperties(Int)
        case minProperties(Int)
        case required([String])
        case dependentRequired([(String, [String])])
        case format(Format)

        case ref(Int)
        case dynamicRef(Int, anchor: String)
        case recursiveRef(Int)
        case allOf([Int])
        case anyOf([Int])
        case oneOf([Int])
        case not(Int)
        case conditional(if: Int, then: Int?, else: Int?)
        case dependentSchemas([(String, Int)])
        case properties([(String, Int)])
        case patternProperties([(Pattern, Int)])
        case additionalProperties(Int, known: PropertyNameSet, patterns: [Pattern])
        case propertyNames(Int)
        case prefixItems([Int])
        /// `items` (2020-12), `additionalItems`, or `items` as one schema (earlier drafts),
        /// applying to every element from `start` on.
        case items(Int, start: Int)
        case contains(Int, min: Int, max: Int?)
        case unevaluatedProperties(Int)
        case unevaluatedItems(Int)
    }
}

/// The JSON Schema `type` keyword's set of accepted types.
struct TypeSet: OptionSet, Sendable {
    let rawValue: UInt8
    static let null = TypeSet(rawValue: 1 << 0)
    static let boolean = TypeSet(rawValue: 1 << 1)
    static let object = TypeSet(rawValue: 1 << 2)
    static let array = TypeSet(rawValue: 1 << 3)
    static let number = TypeSet(rawValue: 1 << 4)
    static let string = TypeSet(rawValue: 1 << 5)
    static let integer = TypeSet(rawValue: 1 << 6)

    static let names: [(String, TypeSet)] = [
        ("null", .null), ("boolean", .boolean), ("object", .object), ("array", .array),
        ("number", .number), ("string", .string), ("integer", .integer),
    ]

    init(rawValue: UInt8) { self.rawValue = rawValue }

    init?(name: String) {
        guard let match = Self.names.first(where: { $0.0 == name }) else { return nil }
        self = match.1
    }

    func accepts(_ value: JSONValue) -> Bool {
        switch value {
        case .null: contains(.null)
        case .bool: contains(.boolean)
        case .object: contains(.object)
        case .array: contains(.array)
        case .string: contains(.string)
        case .number(let number): contains(.number) || (contains(.integer) && number.isIntegral)
        }
    }

    var description: String {
        let names = Self.names.filter { contains($0.1) }.map(\.0)
        return names.count == 1 ? names[0] : "one of " + names.joined(separator: ", ")
    }
}
