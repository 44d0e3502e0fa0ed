/// A schema that cannot be compiled: invalid against its meta-schema, an unresolvable
/// `$ref`, an unknown `$schema`, or a keyword with a value of the wrong shape.
public struct SchemaCompileError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Equatable {
        case invalidAgainstMetaSchema = "invalid_schema"
        case unresolvableReference = "unresolvable_ref"
        case unknownDialect = "unknown_dialect"
        case unsupportedVocabulary = "unsupported_vocabulary"
        case invalidKeyword = "invalid_keyword"
        case invalidJSON = "invalid_json"
    }

    /// A stable code for programs.
    public let code: Code
    /// Where in the schema the problem is (a URI with a JSON Pointer fragment).
    public let location: String
    /// What is wrong and what to do about it.
    public let message: String
    /// For ``Code/invalidAgainstMetaSchema``: each way the schema breaks its meta-schema.
    public let errors: [ValidationError]

    public init(code: Code, location: String, message: String, errors: [ValidationError] = []) {
        self.code = code
        self.location = location
        self.message = message
        self.errors = errors
    }

    public var description: String {
        var text = message
        for error in errors.prefix(20) { text += "\n  \(error)" }
        if errors.count > 20 { text += "\n  … and \(errors.count - 20) more" }
        return text
    }
}
