import Testing
import TrellisJSON

/// The older dialects chosen by `$schema`: draft-07 and 2019-09 behaviour that 2020-12 changed.
@Suite struct JSONSchemaDraftTests {
    static let draft7 = "http://json-schema.org/draft-07/schema#"
    static let draft2019 = "https://json-schema.org/draft/2019-09/schema"

    @Test func draft7RefIgnoresSiblings() throws {
        let schema = try JSONSchema([
            "$schema": .string(Self.draft7),
            "definitions": ["reffed": ["type": "array"]],
            "properties": ["foo": ["$ref": "#/definitions/reffed", "maxItems": 2]],
        ])
        #expect(schema.dialect.draft == .draft7)
        #expect(schema.isValid(["foo": [1, 2, 3]]))
        #expect(schema.validate(["foo": "x"]).errors.map(\.keywordLocation) == ["/properties/foo/$ref/type"])
        // In 2020-12 the sibling applies.
        let modern = try JSONSchema([
            "$defs": ["reffed": ["type": "array"]],
            "properties": ["foo": ["$ref": "#/$defs/reffed", "maxItems": 2]],
        ])
        #expect(!modern.isValid(["foo": [1, 2, 3]]))
    }

    @Test func draft7ItemsArrayAndAdditionalItems() throws {
        let schema = try JSONSchema([
            "$schema": .string(Self.draft7),
            "items": [["type": "integer"], ["type": "string"]],
            "additionalItems": false,
        ])
        #expect(schema.isValid([1, "a"]))
        #expect(schema.isValid([1]))
        #expect(
            schema.validate([1, "a", 3]).errors.map(\.description) == [
                "/2: item 2 is not allowed: no schema accepts items at this position"
            ])
        #expect(schema.validate([1, "a", 3]).errors.map(\.keywordLocation) == ["/additionalItems"])
        #expect(schema.validate(["a", 1]).errors.map(\.keywordLocation) == ["/items/0/type", "/items/1/type"])
        let typed = try JSONSchema(["$schema": .string(Self.draft7), "items": [true], "additionalItems": ["type": "string"]])
        #expect(typed.validate([1, "a", 2]).errors.map(\.keywordLocation) == ["/additionalItems/type"])
        #expect(typed.validate([1, "a", 2]).errors.map(\.instanceLocation) == ["/2"])
    }

    @Test func draft7Dependencies() throws {
        let schema = try JSONSchema([
            "$schema": .string(Self.draft7),
            "dependencies": ["bar": ["foo"], "quux": ["required": ["baz"]]],
        ])
        #expect(schema.isValid(["foo": 1, "bar": 2]))
        #expect(schema.isValid(["quux": 1, "baz": 2]))
        #expect(schema.isValid("not an object"))
        let property = schema.validate(["bar": 1]).errors
        #expect(property.map(\.description) == [#"/: the property "foo" is required when "bar" is present"#])
        #expect(property.map(\.keywordLocation) == ["/dependencies/bar"])
        let subschema = schema.validate(["quux": 1]).errors
        #expect(subschema.map(\.description) == [#"/: the required property "baz" is missing"#])
        #expect(subschema.map(\.keywordLocation) == ["/dependencies/quux/required"])
        // Keywords that draft-07 does not have are ignored.
        let newer = try JSONSchema([
            "$schema": .string(Self.draft7),
            "dependentRequired": ["a": ["b"]], "prefixItems": [false], "unevaluatedProperties": false,
        ])
        #expect(newer.isValid(["a": 1]))
        #expect(newer.isValid([1]))
    }

    static let tree: JSONValue = [
        "$schema": .string(draft2019),
        "$id": "https://example.com/tree",
        "$recursiveAnchor": true,
        "type": "object",
        "properties": ["data": true, "children": ["type": "array", "items": ["$recursiveRef": "#"]]],
    ]

    static let strictTree: JSONValue = [
        "$schema": .string(draft2019),
        "$id": "https://example.com/strict-tree",
        "$recursiveAnchor": true,
        "$ref": "tree",
        "unevaluatedProperties": false,
    ]

    @Test func draft2019RecursiveRefTreeAndStrictTree() throws {
        var registry = SchemaRegistry()
        registry.add(document: Self.tree, uri: "https://example.com/tree")
        let tree = try JSONSchema(Self.tree)
        let strict = try JSONSchema(Self.strictTree, registry: registry)
        #expect(tree.dialect.draft == .draft2019_09)
        let misspelled: JSONValue = ["children": [["daat": 1]]]
        let correct: JSONValue = ["data": 0, "children": [["data": 1, "children": [["data": 2]]]]]
        #expect(tree.isValid(misspelled))
        #expect(tree.isValid(correct))
        #expect(strict.isValid(correct))
        #expect(!strict.isValid(misspelled))
        // `$recursiveRef` went back to strict-tree, whose unevaluatedProperties caught the typo.
        // The failed `$ref` then contributes no annotations (core §7.7.1.3), so the outer
        // unevaluatedProperties also finds "children" unevaluated.
        let errors = strict.validate(misspelled).errors
        #expect(
            errors.map(\.description) == [
                #"/children/0/daat: the property "daat" is not allowed (unevaluatedProperties is false)"#,
                #"/children: the property "children" is not allowed (unevaluatedProperties is false)"#,
            ])
        #expect(
            errors.map(\.keywordLocation) == [
                "/$ref/properties/children/items/$recursiveRef/unevaluatedProperties", "/unevaluatedProperties",
            ])
        // A typo at the top is caught too, and deeper ones.
        #expect(!strict.isValid(["daat": 1]))
        #expect(!strict.isValid(["children": [["children": [["daat": 1]]]]]))

        // Without `$recursiveAnchor` on the outer schema, `$recursiveRef` stays in the tree.
        var loose = Self.strictTree
        loose = loose.mergePatched(with: ["$recursiveAnchor": false])
        #expect(try JSONSchema(loose, registry: registry).isValid(misspelled))
    }

    @Test func draft2019ItemsArrayAndUnevaluated() throws {
        let items = try JSONSchema([
            "$schema": .string(Self.draft2019), "items": [["type": "integer"]], "additionalItems": ["type": "string"],
        ])
        #expect(items.isValid([1, "a", "b"]))
        #expect(items.validate([1, 2]).errors.map(\.keywordLocation) == ["/additionalItems/type"])
        #expect(items.validate(["x"]).errors.map(\.keywordLocation) == ["/items/0/type"])

        let properties = try JSONSchema([
            "$schema": .string(Self.draft2019),
            "allOf": [["properties": ["a": true]]],
            "unevaluatedProperties": false,
        ])
        #expect(properties.isValid(["a": 1]))
        #expect(
            properties.validate(["a": 1, "b": 2]).errors.map(\.description) == [
                #"/b: the property "b" is not allowed (unevaluatedProperties is false)"#
            ])

        let unevaluatedItems = try JSONSchema([
            "$schema": .string(Self.draft2019),
            "items": [["type": "integer"]],
            "unevaluatedItems": false,
        ])
        #expect(unevaluatedItems.isValid([1]))
        #expect(!unevaluatedItems.isValid([1, 2]))
        // 2019-09 has no prefixItems, and contains does not mark items evaluated.
        let contains = try JSONSchema(["$schema": .string(Self.draft2019), "contains": ["type": "string"], "unevaluatedItems": false])
        #expect(!contains.isValid(["a"]))
        #expect(try JSONSchema(["contains": ["type": "string"], "unevaluatedItems": false]).isValid(["a"]))
        #expect(try JSONSchema(["$schema": .string(Self.draft2019), "prefixItems": [false]]).isValid([1]))
    }
}
