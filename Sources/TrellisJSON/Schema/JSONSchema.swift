/// A compiled JSON Schema (2020-12 by default; 2019-09 and draft-07 by `$schema`).
///
/// Compile once, validate many times, from any number of threads: a `JSONSchema` is an
/// immutable `Sendable` value.
///
/// ```swift
/// let schema = try JSONSchema(["type": "object", "properties": ["age": ["minimum": 0]]])
/// let result = schema.validate(["age": -3])
/// result.errors.first?.description   // "/age: -3 is less than the minimum of 0"
/// ```
public struct JSONSchema: Sendable {
    /// How a schema is compiled and validated.
    public struct Options: Sendable {
        /// Treat `format` as an assertion (by default it is only an annotation, as 2020-12 says).
        public var formatAssertion: Bool
        /// Validate the schema against its meta-schema before compiling it.
        public var validateSchema: Bool
        /// The base URI of a schema without an absolute `$id`.
        public var baseURI: String

        public init(formatAssertion: Bool = false, validateSchema: Bool = true, baseURI: String = JSONSchema.defaultBaseURI) {
            self.formatAssertion = formatAssertion
            self.validateSchema = validateSchema
            self.baseURI = baseURI
        }
    }

    /// The base URI given to a schema that declares none.
    public static let defaultBaseURI = "trellis:///schema.json"

    let program: SchemaProgram
    /// The dialect the schema's root is written in.
    public let dialect: SchemaDialect
    /// The schema document as given.
    public let document: JSONValue

    /// Compiles `schema`, resolving remote `$ref`s through `registry`.
    ///
    /// - Throws: ``SchemaCompileError`` when the schema breaks its meta-schema, a `$ref`
    ///   cannot be resolved, or `$schema` names an unknown dialect.
    public init(_ schema: JSONValue, registry: SchemaRegistry = SchemaRegistry(), options: Options = Options()) throws(SchemaCompileError) {
        var compiler = SchemaCompiler(registry: registry, formatAssertion: options.formatAssertion)
        let dialect = try compiler.dialect(of: schema)
        if options.validateSchema {
            try Self.checkAgainstMetaSchema(schema, registry: registry)
        }
        self.program = try compiler.compile(schema, baseURI: options.baseURI)
        self.dialect = dialect
        self.document = schema
    }

    /// Compiles a schema from JSON text.
    public init(parsing text: String, registry: SchemaRegistry = SchemaRegistry(), options: Options = Options()) throws {
        try self.init(JSONValue(parsing: text), registry: registry, options: options)
    }

    /// Validates `instance`, returning every error.
    public func validate(_ instance: JSONValue) -> ValidationResult {
        var evaluator = SchemaEvaluator(program: program, collecting: true)
        var annotations = Annotations()
        _ = evaluator.validate(program.root, instance, &annotations)
        return ValidationResult(errors: evaluator.errors)
    }

    /// Whether `instance` is valid; faster than ``validate(_:)`` because it stops at the first failure.
    public func isValid(_ instance: JSONValue) -> Bool {
        var evaluator = SchemaEvaluator(program: program, collecting: false)
        var annotations = Annotations()
        return evaluator.validate(program.root, instance, &annotations)
    }

    /// The compiled meta-schema of a draft, to validate schemas themselves.
    public static func metaSchema(_ draft: SchemaDialect.Draft) -> JSONSchema {
        BuiltInMetaSchemas.compiled[draft]!
    }

    private static func checkAgainstMetaSchema(_ schema: JSONValue, registry: SchemaRegistry) throws(SchemaCompileError) {
        let metaSchema: JSONSchema
        var metaSchemaURI = SchemaDialect.Draft.draft2020_12.rawValue
        if case .string(let uri)? = schema["$schema"] {
            metaSchemaURI = uri
        }
        if let builtIn = SchemaDialect.builtIn(metaSchemaURI) {
            metaSchema = Self.metaSchema(builtIn.draft)
        } else {
            guard let document = try registry.document(at: metaSchemaURI) else {
                throw SchemaCompileError(
                    code: .unknownDialect, location: metaSchemaURI,
                    message:
                        "unknown $schema \"\(metaSchemaURI)\": use a 2020-12, 2019-09 or draft-07 meta-schema URI, or add that meta-schema to the registry"
                )
            }
            // A custom meta-schema is itself checked against the built-in one it declares.
            metaSchema = try JSONSchema(
                document, registry: registry,
                options: Options(validateSchema: !SchemaDialect.isSelfDescribing(document, uri: metaSchemaURI), baseURI: metaSchemaURI))
        }
        let result = metaSchema.validate(schema)
        guard result.isValid else {
            throw SchemaCompileError(
                code: .invalidAgainstMetaSchema, location: "#",
                message: "the schema is not valid against its meta-schema \(metaSchemaURI):", errors: result.errors)
        }
    }
}

extension SchemaDialect {
    /// Whether a meta-schema names itself as its own `$schema` (checking it would never end).
    static func isSelfDescribing(_ document: JSONValue, uri: String) -> Bool {
        guard case .string(let declared)? = document["$schema"] else { return false }
        return URIReference.stripFragment(declared) == URIReference.stripFragment(uri)
    }
}

/// The three built-in meta-schemas, compiled once per process on first use.
enum BuiltInMetaSchemas {
    static let compiled: [SchemaDialect.Draft: JSONSchema] = {
        var result: [SchemaDialect.Draft: JSONSchema] = [:]
        for draft in SchemaDialect.Draft.allCases {
            let document = MetaSchemaCache.document(draft.rawValue)!
            do {
                result[draft] = try JSONSchema(document, options: .init(validateSchema: false, baseURI: draft.rawValue))
            } catch {
                fatalError("the built-in \(draft.rawValue) meta-schema does not compile: \(error)")
            }
        }
        return result
    }()
}
