extension SchemaCompiler {
    /// Compiles one schema object's keywords, in the order they must be evaluated:
    /// `unevaluated*` last, because they depend on what every other keyword evaluated.
    mutating func keywords(_ object: JSONObject, at location: Location, context: Context) throws(SchemaCompileError) -> [Keyword] {
        let draft = context.dialect.draft
        let vocabularies = context.dialect.vocabularies
        var keywords: [Keyword] = []

        func invalid(_ keyword: String, _ expectation: String) -> SchemaCompileError {
            SchemaCompileError(
                code: .invalidKeyword, location: describe(location.appending(keyword)),
                message: "\"\(keyword)\" must be \(expectation), at \(describe(location.appending(keyword)))")
        }
        func subschema(_ keyword: String, _ more: String...) throws(SchemaCompileError) -> Int {
            var target = location.appending(keyword)
            for token in more { target = target.appending(token) }
            return try node(at: target)
        }
        func subschemas(_ keyword: String) throws(SchemaCompileError) -> [Int]? {
            guard let value = object[keyword] else { return nil }
            guard case .array(let elements) = value, !elements.isEmpty || keyword == "prefixItems" || keyword == "items" else {
                throw invalid(keyword, "a non-empty array of schemas")
            }
            var result: [Int] = []
            for offset in elements.indices { result.append(try subschema(keyword, String(offset))) }
            return result
        }
        func schemaMap(_ keyword: String) throws(SchemaCompileError) -> [(String, Int)]? {
            guard let value = object[keyword] else { return nil }
            guard case .object(let members) = value else { throw invalid(keyword, "an object of schemas") }
            var result: [(String, Int)] = []
            for name in members.keys { result.append((name, try subschema(keyword, name))) }
            return result
        }
        func count(_ keyword: String) throws(SchemaCompileError) -> Int? {
            guard let value = object[keyword] else { return nil }
            guard let number = value.numberValue, let integer = number.int64Value, integer >= 0 else {
                throw invalid(keyword, "a non-negative integer")
            }
            return Int(clamping: integer)
        }
        func number(_ keyword: String) throws(SchemaCompileError) -> JSONNumber? {
            guard let value = object[keyword] else { return nil }
            guard let number = value.numberValue else { throw invalid(keyword, "a number") }
            return number
        }
        func pattern(_ source: String, _ keyword: String) throws(SchemaCompileError) -> Pattern {
            guard let compiled = Pattern(source) else { throw invalid(keyword, "a valid regular expression (\(source))") }
            return compiled
        }
        func add(_ name: String, _ kind: Keyword.Kind) { keywords.append(Keyword(name: name, kind: kind)) }

        // Core: references.
        if case .string(let reference)? = object["$ref"] {
            add("$ref", .ref(try node(at: try resolve(reference, from: context, at: location).location)))
            if draft == .draft7 { return keywords }
        }
        if draft == .draft2020_12, case .string(let reference)? = object["$dynamicRef"] {
            let (target, fragment) = try resolve(reference, from: context, at: location)
            let targetNode = try node(at: target)
            if let fragment, !fragment.hasPrefix("/"), value(at: target)?["$dynamicAnchor"] == .string(fragment) {
                add("$dynamicRef", .dynamicRef(targetNode, anchor: fragment))
            } else {
                add("$dynamicRef", .ref(targetNode))
            }
        }
        if draft == .draft2019_09, case .string(let reference)? = object["$recursiveRef"] {
            let target = try resolve(reference, from: context, at: location).location
            let targetNode = try node(at: target)
            let recursive = value(at: target)?["$recursiveAnchor"] == .bool(true)
            add("$recursiveRef", recursive ? .recursiveRef(targetNode) : .ref(targetNode))
        }

        // Applicators.
        if vocabularies.contains(.applicator) {
            if let list = try subschemas("allOf") { add("allOf", .allOf(list)) }
            if let list = try subschemas("anyOf") { add("anyOf", .anyOf(list)) }
            if let list = try subschemas("oneOf") { add("oneOf", .oneOf(list)) }
            if object["not"] != nil { add("not", .not(try subschema("not"))) }
            if object["if"] != nil {
                let condition = try subschema("if")
                let then = object["then"] == nil ? nil : try subschema("then")
                let otherwise = object["else"] == nil ? nil : try subschema("else")
                // Kept even without then/else: `if`'s annotations count for unevaluated*.
                add("", .conditional(if: condition, then: then, else: otherwise))
            }
            if draft == .draft7, case .object(let dependencies)? = object["dependencies"] {
                var schemas: [(String, Int)] = []
                var required: [(String, [String])] = []
                for (name, dependency) in dependencies {
                    if case .array(let names) = dependency {
                        required.append((name, names.compactMap(\.stringValue)))
                    } else {
                        schemas.append((name, try subschema("dependencies", name)))
                    }
                }
                if !schemas.isEmpty { add("dependencies", .dependentSchemas(schemas)) }
                if !required.isEmpty { add("dependencies", .dependentRequired(required)) }
            } else if draft != .draft7, let map = try schemaMap("dependentSchemas") {
                add("dependentSchemas", .dependentSchemas(map))
            }
            let properties = try schemaMap("properties")
            if let properties { add("properties", .properties(properties)) }
            var patterns: [(Pattern, Int)] = []
            if case .object(let members)? = object["patternProperties"] {
                for source in members.keys {
                    patterns.append((try pattern(source, "patternProperties"), try subschema("patternProperties", source)))
                }
                add("patternProperties", .patternProperties(patterns))
            }
            if object["additionalProperties"] != nil {
                let known = PropertyNameSet(properties?.map(\.0) ?? [])
                add(
                    "additionalProperties",
                    .additionalProperties(try subschema("additionalProperties"), known: known, patterns: patterns.map(\.0)))
            }
            if object["propertyNames"] != nil { add("propertyNames", .propertyNames(try subschema("propertyNames"))) }
            if draft == .draft2020_12 {
                let prefix = try subschemas("prefixItems")
                if let prefix { add("prefixItems", .prefixItems(prefix)) }
                if object["items"] != nil { add("items", .items(try subschema("items"), start: prefix?.count ?? 0)) }
            } else if let items = object["items"] {
                if case .array = items {
                    let prefix = try subschemas("items") ?? []
                    add("items", .prefixItems(prefix))
                    if object["additionalItems"] != nil {
                        add("additionalItems", .items(try subschema("additionalItems"), start: prefix.count))
                    }
                } else {
                    add("items", .items(try subschema("items"), start: 0))
                }
            }
            if object["contains"] != nil {
                let usesCounts = draft != .draft7 && vocabularies.contains(.validation)
                let minimum = usesCounts ? try count("minContains") ?? 1 : 1
                let maximum = usesCounts ? try count("maxContains") : nil
                add("contains", .contains(try subschema("contains"), min: minimum, max: maximum))
            }
        }

        // Validation.
        if vocabularies.contains(.validation) {
            if let type = object["type"] {
                var set = TypeSet()
                let names: [JSONValue] = type.arrayValue ?? [type]
                for name in names {
                    guard case .string(let string) = name, let member = TypeSet(name: string) else {
                        throw invalid("type", "a type name or an array of type names")
                    }
                    set.insert(member)
                }
                add("type", .type(set))
            }
            if let values = object["enum"] {
                guard case .array(let list) = values else { throw invalid("enum", "an array") }
                add("enum", .enumeration(list))
            }
            if let value = object["const"] { add("const", .constant(value)) }
            if let divisor = try number("multipleOf") {
                guard divisor > .integer(0) else { throw invalid("multipleOf", "a number greater than 0") }
                add("multipleOf", .multipleOf(divisor))
            }
            if let limit = try number("maximum") { add("maximum", .maximum(limit)) }
            if let limit = try number("exclusiveMaximum") { add("exclusiveMaximum", .exclusiveMaximum(limit)) }
            if let limit = try number("minimum") { add("minimum", .minimum(limit)) }
            if let limit = try number("exclusiveMinimum") { add("exclusiveMinimum", .exclusiveMinimum(limit)) }
            if let limit = try count("maxLength") { add("maxLength", .maxLength(limit)) }
            if let limit = try count("minLength") { add("minLength", .minLength(limit)) }
            if let source = object["pattern"] {
                guard case .string(let string) = source else { throw invalid("pattern", "a string") }
                add("pattern", .pattern(try pattern(string, "pattern")))
            }
            if let limit = try count("maxItems") { add("maxItems", .maxItems(limit)) }
            if let limit = try count("minItems") { add("minItems", .minItems(limit)) }
            if object["uniqueItems"] == .bool(true) { add("uniqueItems", .uniqueItems) }
            if let limit = try count("maxProperties") { add("maxProperties", .maxProperties(limit)) }
            if let limit = try count("minProperties") { add("minProperties", .minProperties(limit)) }
            if let names = object["required"] {
                guard case .array(let list) = names else { throw invalid("required", "an array of property names") }
                let strings = list.compactMap(\.stringValue)
                guard strings.count == list.count else { throw invalid("required", "an array of property names") }
                if !strings.isEmpty { add("required", .required(strings)) }
            }
            if draft != .draft7, case .object(let dependencies)? = object["dependentRequired"] {
                var required: [(String, [String])] = []
                for (name, names) in dependencies {
                    guard case .array(let list) = names else { throw invalid("dependentRequired", "an object of arrays of property names") }
                    required.append((name, list.compactMap(\.stringValue)))
                }
                add("dependentRequired", .dependentRequired(required))
            }
        }

        if formatAssertion || vocabularies.contains(.formatAssertion), case .string(let name)? = object["format"],
            let format = Format(rawValue: name)
        {
            add("format", .format(format))
        }

        if draft != .draft7, vocabularies.contains(.unevaluated) {
            if object["unevaluatedProperties"] != nil {
                add("unevaluatedProperties", .unevaluatedProperties(try subschema("unevaluatedProperties")))
            }
            if object["unevaluatedItems"] != nil {
                add("unevaluatedItems", .unevaluatedItems(try subschema("unevaluatedItems")))
            }
        }

        // Definitions are compiled too, so a broken `$ref` inside one is reported now.
        for keyword in [draft == .draft7 ? "definitions" : "$defs"] {
            if case .object(let members)? = object[keyword] {
                for name in members.keys { _ = try subschema(keyword, name) }
            }
        }
        return keywords
    }
}
