public import TrellisJSON

/// One benchmark case: a compiled schema, a parsed document and how to validate it.
///
/// The cases are listed in `Fixtures/json-schema/cases.json`, which the Python baseline
/// (`scripts/bench_jsonschema.py`) reads too, so both sides measure the same work.
///
/// ```swift
/// for validationCase in try ValidationCase.all() {
///     let errorCount = validationCase.run()   // 0 when the document is valid
/// }
/// ```
public struct ValidationCase: Sendable {
    /// How a case validates: the fast yes/no path or the full error report.
    public enum Method: String, Sendable {
        /// `JSONSchema.isValid(_:)`, against Python's `Validator.is_valid`.
        case isValid
        /// `JSONSchema.validate(_:)`, against Python's `list(Validator.iter_errors(...))`.
        case validate
    }

    /// The name shown in reports, shared with the Python baseline.
    public let name: String
    public let method: Method
    /// The schema's file name in the fixtures folder.
    public let schemaFile: String
    /// The schema as JSON, for benchmarks of compiling it.
    public let schemaDocument: JSONValue
    public let schema: JSONSchema
    public let document: JSONValue
    /// Whether the document is valid against the schema, as the case file says it must be.
    public let expectedValid: Bool

    /// Validates once, returning the number of errors (`isValid` counts a failure as one).
    @inline(never)
    public func run() -> Int {
        switch method {
        case .isValid: schema.isValid(document) ? 0 : 1
        case .validate: schema.validate(document).errors.count
        }
    }
}
