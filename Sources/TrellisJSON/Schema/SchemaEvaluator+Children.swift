extension SchemaEvaluator {
    /// Keywords that apply subschemas to an object's properties or an array's items.
    mutating func evaluateChildren(_ keyword: Keyword, node: SchemaNode, _ instance: JSONValue, _ annotations: inout Annotations) -> Bool {
        switch keyword.kind {
        case .properties(let properties):
            guard case .object(let object) = instance else { return true }
            var valid = true
            for (name, subschema) in properties {
                guard let value = object[name] else { continue }
                if tracking { annotations.properties.insert(name) }
                if !applyToChild(subschema, value, instanceToken: name, keywordToken: name) {
                    valid = false
                    if !collecting { return false }
                }
            }
            return valid
        case .patternProperties(let patterns):
            guard case .object(let object) = instance else { return true }
            var valid = true
            for (name, value) in object {
                for (pattern, subschema) in patterns where pattern.matches(name) {
                    if tracking { annotations.properties.insert(name) }
                    if !applyToChild(subschema, value, instanceToken: name, keywordToken: pattern.source) {
                        valid = false
                        if !collecting { return false }
                    }
                }
            }
            return valid
        case .additionalProperties(let subschema, let known, let patterns):
            guard case .object(let object) = instance else { return true }
            var valid = true
            for (name, value) in object where !known.contains(name) && !patterns.contains(where: { $0.matches(name) }) {
                if !checkProperty(name, value, against: subschema, keyword: "additionalProperties") {
                    valid = false
                    if !collecting { return false }
                }
            }
            if tracking { annotations.allProperties = true }
            return valid
        case .unevaluatedProperties(let subschema):
            guard case .object(let object) = instance else { return true }
            var valid = true
            for (name, value) in object where !annotations.evaluated(property: name) {
                if !checkProperty(name, value, against: subschema, keyword: "unevaluatedProperties") {
                    valid = false
                    if !collecting { return false }
                }
            }
            annotations.allProperties = true
            return valid
        case .propertyNames(let subschema):
            guard case .object(let object) = instance else { return true }
            var valid = true
            for name in object.keys {
                let passed = quietlyValidate(subschema, .string(name))
                if !passed {
                    report("the property name \"\(name)\" does not match the propertyNames schema", instanceToken: name)
                    valid = false
                    if !collecting { return false }
                }
            }
            return valid
        case .prefixItems(let subschemas):
            guard case .array(let items) = instance else { return true }
            var valid = true
            for (index, subschema) in subschemas.enumerated() where index < items.count {
                if !applyToChild(subschema, items[index], instanceToken: String(index), keywordToken: String(index)) {
                    valid = false
                    if !collecting { return false }
                }
            }
            if tracking { annotations.itemPrefix = max(annotations.itemPrefix, min(subschemas.count, items.count)) }
            return valid
        case .items(let subschema, let start):
            guard case .array(let items) = instance, start < items.count else { return true }
            var valid = true
            for index in start..<items.count {
                if !checkItem(index, items[index], against: subschema) {
                    valid = false
                    if !collecting { return false }
                }
            }
            if tracking { annotations.allItems = true }
            return valid
        case .unevaluatedItems(let subschema):
            guard case .array(let items) = instance else { return true }
            var valid = true
            for index in items.indices where !annotations.evaluated(item: index) {
                if !checkItem(index, items[index], against: subschema) {
                    valid = false
                    if !collecting { return false }
                }
            }
            annotations.allItems = true
            return valid
        case .contains(let subschema, let minimum, let maximum):
            guard case .array(let items) = instance else { return true }
            var matches = 0
            for (index, item) in items.enumerated() where quietlyValidate(subschema, item) {
                matches += 1
                if tracking, node.draft == .draft2020_12 { annotations.itemIndices.insert(index) }
            }
            // Built only when reported: this runs for every array on the validation path.
            func matching() -> String { "\(Self.counted(matches, "item")) \(matches == 1 ? "matches" : "match") the contains schema" }
            if matches < minimum {
                report(
                    matches == 0 && minimum == 1
                        ? "no item matches the contains schema"
                        : "\(matching()), fewer than the minimum of \(minimum)")
                return false
            }
            if let maximum, matches > maximum {
                report("\(matching()), more than the maximum of \(maximum)")
                return false
            }
            return true
        default:
            preconditionFailure("keyword \(keyword.name) is handled by evaluate(_:)")
        }
    }

    private mutating func checkProperty(_ name: String, _ value: JSONValue, against subschema: Int, keyword: String) -> Bool {
        if case .always(false) = program.nodes[subschema].body {
            report("the property \"\(name)\" is not allowed (\(keyword) is false)", instanceToken: name)
            return false
        }
        return applyToChild(subschema, value, instanceToken: name)
    }

    private mutating func checkItem(_ index: Int, _ item: JSONValue, against subschema: Int) -> Bool {
        if case .always(false) = program.nodes[subschema].body {
            report("item \(index) is not allowed: no schema accepts items at this position", instanceToken: String(index))
            return false
        }
        return applyToChild(subschema, item, instanceToken: String(index))
    }

    private mutating func quietlyValidate(_ subschema: Int, _ value: JSONValue) -> Bool {
        let saved = collecting
        collecting = false
        defer { collecting = saved }
        var ignored = Annotations()
        return validate(subschema, value, &ignored)
    }
}
