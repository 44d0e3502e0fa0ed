import TrellisJSON

/// What `schema validate` prints for one instance file, as text or as one JSON line.
struct ValidationReport {
    let file: String
    let result: ValidationResult

    /// `FILE: valid`, or `FILE: invalid` then one indented line per error:
    /// `  /age: -3 is less than the minimum of 0 (at /properties/age/minimum)`.
    var text: String {
        guard !result.isValid else { return "\(file): valid" }
        var lines = ["\(file): invalid"]
        for error in result.errors {
            lines.append("  \(error) (at \(Self.display(error.keywordLocation)))")
        }
        return lines.joined(separator: "\n")
    }

    /// `{"file":…,"valid":…,"errors":[{"instanceLocation":…,"keywordLocation":…,"message":…}]}`,
    /// with locations as JSON Pointers (`""` is the whole document).
    var json: JSONValue {
        let errors = result.errors.map { error -> JSONValue in
            [
                "instanceLocation": .string(error.instanceLocation.description),
                "keywordLocation": .string(error.keywordLocation.description),
                "message": .string(error.message),
            ]
        }
        return ["file": .string(file), "valid": .bool(result.isValid), "errors": .array(errors)]
    }

    /// A pointer as `ValidationError.description` shows one: the whole document is `/`.
    private static func display(_ pointer: JSONPointer) -> String {
        pointer.isRoot ? "/" : pointer.description
    }
}
