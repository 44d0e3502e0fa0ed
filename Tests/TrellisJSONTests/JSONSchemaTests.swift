import Foundation
import Testing
import TrellisJSON

/// JSON Schema beyond the official suite: the errors a person reads, compile-time failures,
/// the registry, formats, the older drafts, concurrency and the meta-schemas.
@Suite struct JSONSchemaTests {
    /// A person record as an application would write it: local `$ref`, formats, nested arrays.
    static let personSchema: JSONValue = [
        "$id": "https://example.com/person.json",
        "type": "object",
        "required": ["name", "age", "email"],
        "properties": [
            "name": ["type": "string", "minLength": 1, "maxLength": 20],
            "age": ["type": "integer", "minimum": 0],
            "email": ["type": "string", "format": "email"],
            "tags": ["type": "array", "items": ["type": "string"], "maxItems": 3, "uniqueItems": true],
            "address": ["$ref": "#/$defs/address"],
            "role": ["enum": ["admin", "user"]],
        ],
        "additionalProperties": false,
        "$defs": [
            "address": [
                "type": "object",
                "required": ["zip"],
                "properties": ["zip": ["type": "string", "pattern": "^[0-9]{5}$"], "city": ["type": "string"]],
            ]
        ],
    ]

    // MARK: Errors

    @Test func everyErrorWithMessageAndLocations() throws {
        let schema = try JSONSchema(Self.personSchema, options: .init(formatAssertion: true))
        let instance: JSONValue = [
            "name": "", "age": -3, "email": "not-an-email", "tags": ["a", "a", 3, "b"],
            "address": ["zip": "1234"], "role": "root", "extra": true,
        ]
        let result = schema.validate(instance)
        #expect(!result.isValid)
        #expect(!schema.isValid(instance))
        let expected: [(String, JSONPointer)] = [
            (#"/name: "" is shorter than the minimum length of 1"#, "/properties/name/minLength"),
            ("/age: -3 is less than the minimum of 0", "/properties/age/minimum"),
            (#"/email: "not-an-email" is not a valid email"#, "/properties/email/format"),
            ("/tags/2: 3 is a number, not string", "/properties/tags/items/type"),
            ("/tags: the array has 4 items, more than the maximum of 3", "/properties/tags/maxItems"),
            ("/tags: items 0 and 1 are equal; the items must be unique", "/properties/tags/uniqueItems"),
            (#"/address/zip: "1234" does not match the pattern ^[0-9]{5}$"#, "/properties/address/$ref/properties/zip/pattern"),
            (#"/role: "root" is not one of "admin", "user""#, "/properties/role/enum"),
            (#"/extra: the property "extra" is not allowed (additionalProperties is false)"#, "/additionalProperties"),
        ]
        #expect(result.errors.map(\.description) == expected.map(\.0))
        #expect(result.errors.map(\.keywordLocation) == expected.map(\.1))
        #expect(
            result.errors.map(\.instanceLocation) == [
                "/name", "/age", "/email", "/tags/2", "/tags", "/tags", "/address/zip", "/role", "/extra",
            ])
        #expect(result.errors[1].message == "-3 is less than the minimum of 0")

        let missing = schema.validate(["address": [:]])
        #expect(
            missing.errors.map(\.description) == [
                #"/address: the required property "zip" is missing"#,
                #"/: the required property "name" is missing"#,
                #"/: the required property "age" is missing"#,
                #"/: the required property "email" is missing"#,
            ])
        #expect(missing.errors.map(\.keywordLocation) == ["/properties/address/$ref/required", "/required", "/required", "/required"])
        #expect(schema.validate(["name": "Ada", "age": 36, "email": "ada@example.com", "address": ["zip": "12345"]]).isValid)
    }

    /// One invalid instance per keyword, with the message and the keyword location it must report.
    static let keywordErrors: [(JSONValue, JSONValue, String, JSONPointer)] = [
        (["const": "x"], "y", #"/: "y" is not the required value "x""#, "/const"),
        (["multipleOf": 0.5], 1.25, "/: 1.25 is not a multiple of 0.5", "/multipleOf"),
        (["maximum": 3], 3.5, "/: 3.5 is greater than the maximum of 3", "/maximum"),
        (["exclusiveMaximum": 3], 3, "/: 3 is not less than the exclusive maximum of 3", "/exclusiveMaximum"),
        (["exclusiveMinimum": 0], 0, "/: 0 is not greater than the exclusive minimum of 0", "/exclusiveMinimum"),
        (["type": ["string", "null"]], 1, "/: 1 is a number, not one of null, string", "/type"),
        (["type": "integer"], 1.5, "/: 1.5 is a number, not integer", "/type"),
        (["minItems": 2], [1], "/: the array has 1 item, fewer than the minimum of 2", "/minItems"),
        (["maxProperties": 1], ["a": 1, "b": 2], "/: the object has 2 properties, more than the maximum of 1", "/maxProperties"),
        (["minProperties": 2], ["a": 1], "/: the object has 1 property, fewer than the minimum of 2", "/minProperties"),
        (["maxItems": 0], [1], "/: the array has 1 item, more than the maximum of 0", "/maxItems"),
        (
            ["contains": ["type": "string"], "maxContains": 1], ["a", "b"],
            "/: 2 items match the contains schema, more than the maximum of 1", "/contains"
        ),
        (["contains": ["type": "string"]], [1], "/: no item matches the contains schema", "/contains"),
        (
            ["contains": ["type": "string"], "minContains": 2], ["a", 1],
            "/: 1 item matches the contains schema, fewer than the minimum of 2", "/contains"
        ),
        (
            ["propertyNames": ["maxLength": 2]], ["abc": 1], #"/abc: the property name "abc" does not match the propertyNames schema"#,
            "/propertyNames"
        ),
        (["dependentRequired": ["a": ["b"]]], ["a": 1], #"/: the property "b" is required when "a" is present"#, "/dependentRequired/a"),
        (
            ["oneOf": [["type": "integer"], ["minimum": 0]]], 1,
            "/: 1 matches more than one schema in oneOf (0 and 1); exactly one must match", "/oneOf"
        ),
        (["anyOf": [["type": "string"], ["type": "null"]]], 1, "/: 1 does not match any of the 2 schemas in anyOf", "/anyOf"),
        (["not": ["type": "integer"]], 1, "/: 1 must not match the schema in not", "/not"),
        (["if": ["type": "integer"], "then": ["minimum": 10]], 1, "/: 1 is less than the minimum of 10", "/then/minimum"),
        (["if": ["type": "integer"], "else": ["type": "null"]], "s", #"/: "s" is a string, not null"#, "/else/type"),
        (["allOf": [true, ["maxLength": 1]]], "ab", #"/: "ab" is longer than the maximum length of 1"#, "/allOf/1/maxLength"),
        (
            ["prefixItems": [true], "items": false], [1, 2], "/1: item 1 is not allowed: no schema accepts items at this position", "/items"
        ),
        (["patternProperties": ["^x": ["type": "string"]]], ["xa": 1], "/xa: 1 is a number, not string", "/patternProperties/^x/type"),
        (
            ["unevaluatedProperties": false, "properties": ["a": true]], ["a": 1, "b": 2],
            #"/b: the property "b" is not allowed (unevaluatedProperties is false)"#, "/unevaluatedProperties"
        ),
        (false, 1, "/: no value is allowed here (the schema is false)", ""),
    ]

    @Test func keywordMessages() throws {
        for (document, instance, description, keywordLocation) in Self.keywordErrors {
            let errors = try JSONSchema(document).validate(instance).errors
            #expect(errors.map(\.description) == [description], "\(document)")
            #expect(errors.map(\.keywordLocation) == [keywordLocation], "\(document)")
        }
    }

    @Test func validationErrorsAreCodable() throws {
        let errors = try JSONSchema(Self.personSchema).validate(["age": -3]).errors
        let data = try JSONEncoder().encode(errors)
        #expect(try JSONDecoder().decode([ValidationError].self, from: data) == errors)
        let first = try #require(try JSONValue(parsing: data)[0])
        #expect(
            first == [
                "instanceLocation": "/age", "keywordLocation": "/properties/age/minimum", "message": "-3 is less than the minimum of 0",
            ])
    }

    // MARK: Compile-time errors

    /// The error compiling `document` throws, or `nil` when it compiles.
    static func compileError(
        _ document: JSONValue, registry: SchemaRegistry = SchemaRegistry(), options: JSONSchema.Options = .init()
    ) -> SchemaCompileError? {
        do {
            _ = try JSONSchema(document, registry: registry, options: options)
            return nil
        } catch {
            return error
        }
    }

    @Test func schemaInvalidAgainstItsMetaSchema() throws {
        let error = try #require(Self.compileError(["type": 12]))
        #expect(error.code == .invalidAgainstMetaSchema)
        #expect(error.code.rawValue == "invalid_schema")
        #expect(error.location == "#")
        #expect(error.message == "the schema is not valid against its meta-schema https://json-schema.org/draft/2020-12/schema:")
        #expect(!error.errors.isEmpty)
        #expect(error.errors.allSatisfy { $0.instanceLocation == "/type" })
        #expect(error.errors.map(\.description).contains("/type: 12 does not match any of the 2 schemas in anyOf"))
        #expect(error.description.hasPrefix(error.message + "\n  /type: "))

        let several = try #require(Self.compileError(["minLength": -1, "required": "name", "properties": ["a": 3]]))
        #expect(several.code == .invalidAgainstMetaSchema)
        #expect(Set(several.errors.map(\.instanceLocation)) == ["/minLength", "/required", "/properties/a"])
        // Without the meta-schema check the compiler still refuses a keyword of the wrong shape.
        let shape = try #require(Self.compileError(["minLength": -1], options: .init(validateSchema: false)))
        #expect(shape.code == .invalidKeyword)
        #expect(shape.location == "trellis:///schema.json#/minLength")
        #expect(shape.message == #""minLength" must be a non-negative integer, at trellis:///schema.json#/minLength"#)
    }

    @Test func unresolvableReferences() throws {
        let remote = try #require(Self.compileError(["properties": ["a": ["$ref": "https://example.com/missing.json"]]]))
        #expect(remote.code == .unresolvableReference)
        #expect(remote.location == "trellis:///schema.json#/properties/a")
        #expect(remote.message.contains("https://example.com/missing.json"))
        #expect(
            remote.message
                == #"cannot resolve "https://example.com/missing.json" (https://example.com/missing.json) at trellis:///schema.json#/properties/a: no schema with the URI https://example.com/missing.json is known; add it to the schema registry, or map its directory to a base URI"#
        )

        let pointer = try #require(Self.compileError(["$ref": "#/$defs/nope", "$defs": [:]]))
        #expect(pointer.code == .unresolvableReference)
        #expect(
            pointer.message
                == ##"cannot resolve "#/$defs/nope" (trellis:///schema.json#/$defs/nope) at trellis:///schema.json#: nothing exists at /$defs/nope in trellis:///schema.json"##
        )

        let anchor = try #require(Self.compileError(["$id": "https://example.com/a.json", "$ref": "#nope"]))
        #expect(anchor.code == .unresolvableReference)
        #expect(
            anchor.message
                == ##"cannot resolve "#nope" (https://example.com/a.json#nope) at https://example.com/a.json#: no anchor named "nope" in https://example.com/a.json"##
        )

        // A broken reference in an unused definition is found at compile time too.
        let unused = try #require(Self.compileError(["$defs": ["x": ["$ref": "other.json"]]]))
        #expect(unused.code == .unresolvableReference)
        #expect(unused.message.contains("trellis:///other.json"))
    }

    @Test func unknownDialect() throws {
        let error = try #require(Self.compileError(["$schema": "https://example.com/my-dialect", "type": "string"]))
        #expect(error.code == .unknownDialect)
        #expect(error.location == "https://example.com/my-dialect")
        #expect(
            error.message
                == #"unknown $schema "https://example.com/my-dialect": use a 2020-12, 2019-09 or draft-07 meta-schema URI, or add that meta-schema to the registry"#
        )
        for draft in SchemaDialect.Draft.allCases {
            #expect(try JSONSchema(["$schema": .string(draft.rawValue)]).dialect.draft == draft)
            #expect(try JSONSchema(["$schema": .string(draft.rawValue + "#")]).dialect.draft == draft)
        }
        #expect(try JSONSchema([:]).dialect == .default)
    }

    // MARK: Registry

    static let addressSchema: JSONValue = [
        "$id": "https://example.com/schemas/address.json",
        "type": "object",
        "required": ["zip"],
        "properties": ["zip": ["$ref": "#/$defs/zip"]],
        "$defs": ["zip": ["type": "string", "pattern": "^[0-9]{5}$"]],
    ]

    @Test func registryInMemory() throws {
        var registry = SchemaRegistry()
        registry.add(document: Self.addressSchema, uri: "https://example.com/schemas/address.json")
        registry.add(document: ["$defs": ["positive": ["type": "integer", "minimum": 1]]], uri: "https://example.com/defs.json#ignored")
        let schema = try JSONSchema(
            [
                "$id": "https://example.com/schemas/order.json",
                "properties": [
                    "shipTo": ["$ref": "address.json"],
                    "billTo": ["$ref": "https://example.com/schemas/address.json"],
                    "zipOnly": ["$ref": "address.json#/$defs/zip"],
                    "count": ["$ref": "../defs.json#/$defs/positive"],
                ],
            ], registry: registry)
        #expect(schema.isValid(["shipTo": ["zip": "12345"], "billTo": ["zip": "54321"], "zipOnly": "11111", "count": 2]))
        let errors = schema.validate(["shipTo": ["zip": "x"], "billTo": [:], "zipOnly": 5, "count": 0]).errors
        #expect(
            errors.map(\.description) == [
                #"/shipTo/zip: "x" does not match the pattern ^[0-9]{5}$"#,
                #"/billTo: the required property "zip" is missing"#,
                "/zipOnly: 5 is a number, not string",
                "/count: 0 is less than the minimum of 1",
            ])
        #expect(errors[0].keywordLocation == "/properties/shipTo/$ref/properties/zip/$ref/pattern")
        #expect(errors[3].keywordLocation == "/properties/count/$ref/minimum")
    }

    @Test func registryDirectory() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("trellis-schema-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("common"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let address: JSONValue = ["type": "object", "properties": ["zip": ["$ref": "common/zip.json"]], "required": ["zip"]]
        try address.serialized().write(to: directory.appendingPathComponent("address.json"), atomically: true, encoding: .utf8)
        try #"{"type": "string", "pattern": "^[0-9]{5}$"}"#.write(
            to: directory.appendingPathComponent("common/zip.json"), atomically: true, encoding: .utf8)
        try "{ not json".write(to: directory.appendingPathComponent("broken.json"), atomically: true, encoding: .utf8)

        var registry = SchemaRegistry()
        registry.addDirectory(directory.path, baseURI: "https://example.com/schemas")
        let schema = try JSONSchema(["items": ["$ref": "https://example.com/schemas/address.json"]], registry: registry)
        #expect(schema.isValid([["zip": "12345"]]))
        #expect(
            schema.validate([["zip": "12345"], ["zip": "1"]]).errors.map(\.description) == [
                #"/1/zip: "1" does not match the pattern ^[0-9]{5}$"#
            ])

        let missing = try #require(Self.compileError(["$ref": "https://example.com/schemas/nope.json"], registry: registry))
        #expect(missing.code == .unresolvableReference)
        #expect(missing.message.contains("https://example.com/schemas/nope.json"))

        let broken = try #require(Self.compileError(["$ref": "https://example.com/schemas/broken.json"], registry: registry))
        #expect(broken.code == .invalidJSON)
        #expect(broken.location == "https://example.com/schemas/broken.json")
        #expect(
            broken.message.hasPrefix(
                "the schema file \(directory.appendingPathComponent("broken.json").path) is not valid JSON (line 1, column 3: "))

        // A URI outside the base is not looked up in the directory, even if a file would match.
        let outside = try #require(Self.compileError(["$ref": "https://example.com/address.json"], registry: registry))
        #expect(outside.code == .unresolvableReference)
    }

    // MARK: Concurrency and meta-schemas

    @Test func compiledSchemaIsSharedAcrossTasks() async throws {
        let schema = try JSONSchema(Self.personSchema, options: .init(formatAssertion: true))
        let instances: [JSONValue] = [
            ["name": "Ada", "age": 36, "email": "ada@example.com"],
            ["name": "", "age": -3, "email": "x", "tags": ["a", "a"], "extra": 1],
            ["name": "Bob", "age": 1.5, "email": "bob@example.com", "address": ["zip": "1"]],
            ["address": ["city": 3]],
            "not an object",
        ]
        let expected = instances.map { schema.validate($0) }
        #expect(expected.map(\.isValid) == [true, false, false, false, false])
        let (checked, mismatches) = await withTaskGroup(of: (Int, Int).self) { group in
            for task in 0..<8 {
                group.addTask {
                    var mismatches = 0
                    for run in 0..<200 {
                        let index = (task + run) % instances.count
                        let result = schema.validate(instances[index])
                        if result != expected[index] || schema.isValid(instances[index]) != expected[index].isValid {
                            mismatches += 1
                        }
                    }
                    return (200, mismatches)
                }
            }
            return await group.reduce((0, 0)) { ($0.0 + $1.0, $0.1 + $1.1) }
        }
        #expect(checked == 1_600)
        #expect(mismatches == 0)
    }

    @Test(arguments: SchemaDialect.Draft.allCases)
    func metaSchemaValidatesItself(_ draft: SchemaDialect.Draft) {
        let metaSchema = JSONSchema.metaSchema(draft)
        #expect(metaSchema.dialect.draft == draft)
        #expect(metaSchema.isValid(metaSchema.document))
        #expect(metaSchema.validate(metaSchema.document).errors == [])
        #expect(metaSchema.isValid(["type": "string", "minLength": 1]))
        #expect(!metaSchema.isValid(["type": 12]))
        #expect(!metaSchema.isValid(["minLength": -1]))
        #expect(!metaSchema.isValid(["properties": ["a": 3]]))
    }

    @Test func metaSchemasValidateEachOther() {
        // The draft-07 meta-schema is a valid 2020-12 schema too. (The 2019-09 one is not:
        // 2020-12 re-types the `$recursiveAnchor` it uses as an anchor name.)
        let modern = JSONSchema.metaSchema(.draft2020_12)
        #expect(modern.isValid(JSONSchema.metaSchema(.draft7).document))
        #expect(!modern.isValid(JSONSchema.metaSchema(.draft2019_09).document))
        #expect(JSONSchema.metaSchema(.draft7).isValid(Self.personSchema))
    }
}
