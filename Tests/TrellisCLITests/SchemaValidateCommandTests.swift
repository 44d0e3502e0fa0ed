import Testing
import TrellisJSON

@Suite("trellis schema validate")
struct SchemaValidateCommandTests {
    let directory: TemporaryDirectory

    init() throws {
        directory = try TemporaryDirectory()
        try directory.write(
            "person.schema.json",
            """
            {
              "type": "object",
              "properties": {"name": {"type": "string"}, "age": {"type": "integer", "minimum": 0}},
              "required": ["name"]
            }
            """
        )
        try directory.write("ann.json", #"{"name": "Ann", "age": 3}"#)
        try directory.write("bob.json", #"{"name": "Bob"}"#)
        try directory.write("nameless.json", #"{"age": -3}"#)
    }

    private func trellis(_ arguments: String...) async throws -> CommandOutput {
        try await TrellisBinary.run(["schema", "validate"] + arguments, in: directory)
    }

    @Test("every instance valid: one line each, exit 0")
    func allValid() async throws {
        let output = try await trellis("--schema", "person.schema.json", "ann.json", "bob.json")
        #expect(output.outputLines == ["ann.json: valid", "bob.json: valid"])
        #expect(output.standardError == "")
        #expect(output.status == 0)
    }

    @Test("an invalid instance lists each error with its keyword location, exit 1")
    func invalidInstance() async throws {
        let output = try await trellis("--schema", "person.schema.json", "ann.json", "nameless.json")
        #expect(
            output.outputLines == [
                "ann.json: valid",
                "nameless.json: invalid",
                "  /age: -3 is less than the minimum of 0 (at /properties/age/minimum)",
                #"  /: the required property "name" is missing (at /required)"#,
            ]
        )
        #expect(output.standardError == "")
        #expect(output.status == 1)
    }

    @Test("--json prints one compact JSON object per instance per line")
    func jsonOutput() async throws {
        let output = try await trellis("--schema", "person.schema.json", "--json", "ann.json", "nameless.json")
        #expect(output.status == 1)
        #expect(output.outputLines.count == 2)
        let reports = try output.outputLines.map { try JSONValue(parsing: $0) }
        #expect(reports.first == ["file": "ann.json", "valid": true, "errors": []])
        let expected: JSONValue = [
            "file": "nameless.json",
            "valid": false,
            "errors": [
                [
                    "instanceLocation": "/age",
                    "keywordLocation": "/properties/age/minimum",
                    "message": "-3 is less than the minimum of 0",
                ],
                [
                    "instanceLocation": "",
                    "keywordLocation": "/required",
                    "message": #"the required property "name" is missing"#,
                ],
            ],
        ]
        #expect(reports.last == expected)
        // Compact: each report is exactly one line, with no padding.
        #expect(output.outputLines.first == #"{"file":"ann.json","valid":true,"errors":[]}"#)
    }

    @Test("an instance that is not JSON is reported with line and column, the rest still validated, exit 2")
    func instanceNotJSON() async throws {
        try directory.write("broken.json", "{\n  \"name\": \"Cy\",\n  \"age\" 4\n}\n")
        let output = try await trellis("--schema", "person.schema.json", "broken.json", "ann.json", "nameless.json")
        #expect(output.standardError.hasPrefix("error: broken.json:3:9: the instance file is not valid JSON: "))
        #expect(output.standardError.split(separator: "\n").count == 1)
        #expect(Array(output.outputLines.prefix(2)) == ["ann.json: valid", "nameless.json: invalid"])
        // Unusable input outranks an invalid instance.
        #expect(output.status == 2)
    }

    @Test("a missing instance file is named, exit 2")
    func missingInstance() async throws {
        let output = try await trellis("--schema", "person.schema.json", "ghost.json", "ann.json")
        #expect(output.standardError == "error: cannot read instance file 'ghost.json': no such file\n")
        #expect(output.outputLines == ["ann.json: valid"])
        #expect(output.status == 2)
    }

    @Test("a missing schema file stops before any instance, exit 2")
    func missingSchema() async throws {
        let output = try await trellis("--schema", "missing.json", "ann.json")
        #expect(output.standardError == "error: cannot read schema file 'missing.json': no such file\n")
        #expect(output.standardOutput == "")
        #expect(output.status == 2)
    }

    @Test("a schema that is a directory is named, exit 2")
    func schemaIsDirectory() async throws {
        try directory.write("schemas/placeholder.json", "{}")
        let output = try await trellis("--schema", "schemas", "ann.json")
        #expect(output.standardError == "error: cannot read schema file 'schemas': it is a directory\n")
        #expect(output.status == 2)
    }

    @Test("a schema that is not JSON is reported with line and column, exit 2")
    func schemaNotJSON() async throws {
        try directory.write("broken.schema.json", #"{"type": "object",}"#)
        let output = try await trellis("--schema", "broken.schema.json", "ann.json")
        #expect(output.standardError.hasPrefix("error: broken.schema.json:1:19: the schema file is not valid JSON: "))
        #expect(output.standardOutput == "")
        #expect(output.status == 2)
    }

    @Test("a schema that breaks its meta-schema lists why, exit 2")
    func invalidSchema() async throws {
        try directory.write("bad.schema.json", #"{"type": 12}"#)
        let output = try await trellis("--schema", "bad.schema.json", "ann.json")
        let lines = output.standardError.split(separator: "\n").map(String.init)
        #expect(
            lines.first
                == "error: cannot compile schema 'bad.schema.json': the schema is not valid against its meta-schema "
                + "https://json-schema.org/draft/2020-12/schema:"
        )
        #expect(lines.dropFirst().contains { $0.hasPrefix("  /type: ") })
        #expect(output.standardOutput == "")
        #expect(output.status == 2)
    }

    @Test("an unresolvable $ref names the reference and where it is, exit 2")
    func unresolvableReference() async throws {
        try directory.write("customer.schema.json", Self.customerSchema)
        let output = try await trellis("--schema", "customer.schema.json", "ann.json")
        #expect(
            output.standardError.hasPrefix(
                #"error: cannot compile schema 'customer.schema.json': cannot resolve "https://example.com/schemas/address.json""#
            )
        )
        #expect(output.standardError.contains("--ref-dir"))
        #expect(output.standardError.contains("customer.schema.json#/properties/address:"))
        #expect(output.standardOutput == "")
        #expect(output.status == 2)
    }

    @Test("--ref-dir maps a base URI to a folder, so a remote $ref is read from a file")
    func referenceDirectory() async throws {
        try directory.write("customer.schema.json", Self.customerSchema)
        try directory.write("shared/address.json", #"{"type": "object", "required": ["street"]}"#)
        try directory.write("homeless.json", #"{"address": {"city": "Oslo"}}"#)
        try directory.write("housed.json", #"{"address": {"street": "Storgata 1"}}"#)
        let output = try await trellis(
            "--schema", "customer.schema.json", "--ref-dir", "https://example.com/schemas/=shared",
            "homeless.json", "housed.json"
        )
        #expect(
            output.outputLines == [
                "homeless.json: invalid",
                #"  /address: the required property "street" is missing (at /properties/address/$ref/required)"#,
                "housed.json: valid",
            ]
        )
        #expect(output.standardError == "")
        #expect(output.status == 1)
    }

    @Test("a relative $ref finds a file beside the schema")
    func siblingReference() async throws {
        try directory.write("schemas/order.schema.json", #"{"properties": {"total": {"$ref": "money.json"}}}"#)
        try directory.write("schemas/money.json", #"{"type": "number", "minimum": 0}"#)
        try directory.write("refund.json", #"{"total": -5}"#)
        let output = try await trellis("--schema", "schemas/order.schema.json", "refund.json")
        #expect(
            output.outputLines == [
                "refund.json: invalid",
                "  /total: -5 is less than the minimum of 0 (at /properties/total/$ref/minimum)",
            ]
        )
        #expect(output.status == 1)
    }

    @Test(
        "--ref-dir without '=' or without an absolute base URI is a usage error, exit 2",
        arguments: [
            ("shared", "there is no '='"),
            ("example.com/schemas=shared", "the base URI 'example.com/schemas' is not absolute"),
            ("https://example.com/schemas/=", "the directory is empty"),
        ])
    func malformedReferenceDirectory(argument: String, reason: String) async throws {
        try directory.write("customer.schema.json", Self.customerSchema)
        let output = try await trellis("--schema", "customer.schema.json", "--ref-dir", argument, "ann.json")
        #expect(
            output.standardError.hasPrefix(
                "Error: The value '\(argument)' is invalid for '--ref-dir <base-uri=dir>': \(reason)"
            )
        )
        #expect(output.standardError.contains("expected BASE_URI=DIR, e.g. https://example.com/schemas/=./schemas"))
        #expect(output.standardOutput == "")
        #expect(output.status == 2)
    }

    @Test("--ref-dir naming a folder that does not exist, exit 2")
    func missingReferenceDirectory() async throws {
        try directory.write("customer.schema.json", Self.customerSchema)
        let output = try await trellis(
            "--schema", "customer.schema.json", "--ref-dir", "https://example.com/schemas/=nowhere", "ann.json"
        )
        #expect(output.standardError == "error: --ref-dir https://example.com/schemas/=nowhere: 'nowhere' is not a directory\n")
        #expect(output.status == 2)
    }

    @Test("format is an annotation unless --format-assertion is given")
    func formatAssertion() async throws {
        try directory.write("email.schema.json", #"{"format": "email"}"#)
        try directory.write("nope.json", #""nope""#)
        try directory.write("address.json", #""ann@example.com""#)

        let annotated = try await trellis("--schema", "email.schema.json", "nope.json", "address.json")
        #expect(annotated.outputLines == ["nope.json: valid", "address.json: valid"])
        #expect(annotated.status == 0)

        let asserted = try await trellis("--schema", "email.schema.json", "--format-assertion", "nope.json", "address.json")
        #expect(
            asserted.outputLines == [
                "nope.json: invalid",
                #"  /: "nope" is not a valid email (at /format)"#,
                "address.json: valid",
            ]
        )
        #expect(asserted.status == 1)
    }

    /// A customer whose address is defined by a schema published elsewhere.
    private static let customerSchema = """
        {"type": "object", "properties": {"address": {"$ref": "https://example.com/schemas/address.json"}}}
        """
}
