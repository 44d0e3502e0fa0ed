internal import Foundation

extension SchemaEvaluator {
    /// Keywords that look at the instance itself or at its members and items.
    mutating func evaluateOnInstance(
        _ keyword: Keyword, node: SchemaNode, _ instance: JSONValue, _ annotations: inout Annotations
    ) -> Bool {
        switch keyword.kind {
        case .type(let types):
            if types.accepts(instance) { return true }
            report("\(Self.summary(instance)) is \(instance.typeNameWithArticle), not \(types.description)")
            return false
        case .enumeration(let values):
            if Self.contains(values, instance) { return true }
            // Built only when reported (an `enum` failing inside `anyOf` is no error).
            func listed() -> String {
                values.prefix(10).map { Self.summary($0) }.joined(separator: ", ") + (values.count > 10 ? ", …" : "")
            }
            report("\(Self.summary(instance)) is not one of \(listed())")
            return false
        case .constant(let value):
            if value == instance { return true }
            report("\(Self.summary(instance)) is not the required value \(Self.summary(value))")
            return false
        case .multipleOf(let divisor):
            guard case .number(let number) = instance, !Self.isMultiple(number, of: divisor) else { return true }
            report("\(number) is not a multiple of \(divisor)")
            return false
        case .maximum(let limit):
            guard case .number(let number) = instance, limit < number else { return true }
            report("\(number) is greater than the maximum of \(limit)")
            return false
        case .exclusiveMaximum(let limit):
            guard case .number(let number) = instance, !(number < limit) else { return true }
            report("\(number) is not less than the exclusive maximum of \(limit)")
            return false
        case .minimum(let limit):
            guard case .number(let number) = instance, number < limit else { return true }
            report("\(number) is less than the minimum of \(limit)")
            return false
        case .exclusiveMinimum(let limit):
            guard case .number(let number) = instance, !(limit < number) else { return true }
            report("\(number) is not greater than the exclusive minimum of \(limit)")
            return false
        case .maxLength(let limit):
            guard case .string(let string) = instance, string.utf8.count > limit, Self.length(of: string) > limit else { return true }
            report("\(Self.summary(instance)) is longer than the maximum length of \(limit)")
            return false
        case .minLength(let limit):
            guard case .string(let string) = instance, string.utf8.count < limit || Self.length(of: string) < limit else { return true }
            report("\(Self.summary(instance)) is shorter than the minimum length of \(limit)")
            return false
        case .pattern(let pattern):
            guard case .string(let string) = instance, !pattern.matches(string) else { return true }
            report("\(Self.summary(instance)) does not match the pattern \(pattern.source)")
            return false
        case .format(let format):
            guard case .string(let string) = instance, !format.accepts(string) else { return true }
            report("\(Self.summary(instance)) is not a valid \(format.rawValue)")
            return false
        case .maxItems(let limit):
            guard case .array(let items) = instance, items.count > limit else { return true }
            report("the array has \(Self.counted(items.count, "item")), more than the maximum of \(limit)")
            return false
        case .minItems(let limit):
            guard case .array(let items) = instance, items.count < limit else { return true }
            report("the array has \(Self.counted(items.count, "item")), fewer than the minimum of \(limit)")
            return false
        case .uniqueItems:
            guard case .array(let items) = instance, items.count > 1 else { return true }
            guard let (first, index) = Self.firstRepeat(in: items) else { return true }
            report("items \(first) and \(index) are equal; the items must be unique")
            return false
        case .maxProperties(let limit):
            guard case .object(let object) = instance, object.count > limit else { return true }
            report("the object has \(Self.counted(object.count, "property", "properties")), more than the maximum of \(limit)")
            return false
        case .minProperties(let limit):
            guard case .object(let object) = instance, object.count < limit else { return true }
            report("the object has \(Self.counted(object.count, "property", "properties")), fewer than the minimum of \(limit)")
            return false
        case .required(let names):
            guard case .object(let object) = instance else { return true }
            var valid = true
            for name in names where object[name] == nil {
                report("the required property \"\(name)\" is missing")
                valid = false
                if !collecting { break }
            }
            return valid
        case .dependentRequired(let dependencies):
            guard case .object(let object) = instance else { return true }
            var valid = true
            for (name, required) in dependencies where object[name] != nil {
                for missing in required where object[missing] == nil {
                    report("the property \"\(missing)\" is required when \"\(name)\" is present", keywordTokens: [name])
                    valid = false
                    if !collecting { return false }
                }
            }
            return valid
        default:
            return evaluateChildren(keyword, node: node, instance, &annotations)
        }
    }

    /// Whether `values` holds `instance`: `values.contains(instance)`, with strings compared
    /// directly, because `enum` of strings is the common case and `==` on two `JSONValue`s
    /// copies both.
    static func contains(_ values: [JSONValue], _ instance: JSONValue) -> Bool {
        guard case .string(let string) = instance else { return values.contains(instance) }
        for value in values {
            if case .string(let candidate) = value, JSONValue.sameCodePoints(candidate, string) { return true }
        }
        return false
    }

    /// The first item equal to an earlier one, with that earlier one's index. Short arrays
    /// are compared pair by pair, which beats hashing every item into a dictionary.
    static func firstRepeat(in items: [JSONValue]) -> (Int, Int)? {
        if items.count <= 16 {
            for index in 1..<items.count {
                for earlier in 0..<index where items[earlier] == items[index] { return (earlier, index) }
            }
            return nil
        }
        var seen: [JSONValue: Int] = [:]
        seen.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            if let first = seen.updateValue(index, forKey: item) { return (first, index) }
        }
        return nil
    }

    /// A string's length as JSON Schema counts it, in code points: the UTF-8 bytes that do
    /// not continue a code point. A string's UTF-8 byte count is an upper bound of this, which
    /// settles most `maxLength` and `minLength` checks without counting.
    static func length(of string: String) -> Int {
        string.utf8.withContiguousStorageIfAvailable { bytes in
            var count = 0
            for byte in bytes where byte & 0xC0 != 0x80 { count += 1 }
            return count
        } ?? string.unicodeScalars.count
    }

    static func isMultiple(_ number: JSONNumber, of divisor: JSONNumber) -> Bool {
        if case .integer(let value) = number, case .integer(let step) = divisor {
            return value % step == 0
        }
        if let value = Decimal(string: number.description), let step = Decimal(string: divisor.description),
            value.isFinite, step.isFinite, !step.isZero
        {
            var quotient = value / step
            var rounded = Decimal()
            NSDecimalRound(&rounded, &quotient, 0, .plain)
            if quotient.isFinite { return rounded == quotient }
        }
        let quotient = number.doubleValue / divisor.doubleValue
        return quotient.isFinite && quotient.rounded() == quotient
    }

    /// A count with its noun, singular or plural: `1 item`, `2 items`.
    static func counted(_ count: Int, _ singular: String, _ plural: String? = nil) -> String {
        "\(count) \(count == 1 ? singular : plural ?? singular + "s")"
    }

    /// A short rendering of a value for messages: strings quoted, long values abbreviated.
    static func summary(_ value: JSONValue) -> String {
        let text = value.serialized()
        guard text.count > 40 else { return text }
        switch value {
        case .object: return "the object"
        case .array: return "the array"
        default: return String(text.prefix(37)) + "…"
        }
    }
}
