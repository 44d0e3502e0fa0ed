/// A JSON number: an exact 64-bit integer or a binary floating-point value.
///
/// Equality and ordering follow the mathematical value, so `.integer(1) == .double(1.0)`.
public enum JSONNumber: Sendable {
    case integer(Int64)
    case double(Double)

    /// A number from a double, stored as an integer when it has no fractional part and fits.
    public init(_ value: Double) {
        if value.rounded(.towardZero) == value, let exact = Int64(exactly: value), abs(value) < 9.0e15 {
            self = .integer(exact)
        } else {
            self = .double(value)
        }
    }

    /// The value as a `Double` (integers above 2^53 round to the nearest double).
    public var doubleValue: Double {
        switch self {
        case .integer(let value): Double(value)
        case .double(let value): value
        }
    }

    /// The value as an `Int64` when it is integral and fits, else `nil`.
    public var int64Value: Int64? {
        switch self {
        case .integer(let value): value
        case .double(let value): value.rounded(.towardZero) == value ? Int64(exactly: value) : nil
        }
    }

    /// Whether the value has no fractional part (`1.0` counts, as JSON Schema's `integer` type says).
    public var isIntegral: Bool {
        switch self {
        case .integer: true
        case .double(let value): value.isFinite && value.rounded(.towardZero) == value
        }
    }
}

extension JSONNumber: Hashable, Comparable {
    public static func == (lhs: JSONNumber, rhs: JSONNumber) -> Bool {
        switch (lhs, rhs) {
        case (.integer(let a), .integer(let b)): a == b
        case (.double(let a), .double(let b)): a == b
        case (.integer(let a), .double(let b)), (.double(let b), .integer(let a)):
            b.rounded(.towardZero) == b && Int64(exactly: b) == a
        }
    }

    public static func < (lhs: JSONNumber, rhs: JSONNumber) -> Bool {
        switch (lhs, rhs) {
        case (.integer(let a), .integer(let b)): a < b
        case (.double(let a), .double(let b)): a < b
        // Converting the integer to Double would round it (2^53 + 1 becomes 2^53), so compare exactly.
        case (.integer(let a), .double(let b)): compare(a, b) == .less
        case (.double(let a), .integer(let b)): compare(b, a) == .greater
        }
    }

    private enum Order { case less, same, greater }

    /// How `integer` compares with `double` by exact value; `nil` when `double` is NaN.
    private static func compare(_ integer: Int64, _ double: Double) -> Order? {
        if double.isNaN { return nil }
        // ±2^63 as doubles: every Int64 is below the first and at or above the second.
        if double >= 9_223_372_036_854_775_808.0 { return .less }
        if double < -9_223_372_036_854_775_808.0 { return .greater }
        let floor = double.rounded(.down)
        let whole = Int64(floor)  // exact: floor is integral and in range
        if integer != whole { return integer < whole ? .less : .greater }
        return floor == double ? .same : .less
    }

    public func hash(into hasher: inout Hasher) {
        // Equal values must hash alike: integral doubles hash as their integer.
        if let integer = int64Value {
            hasher.combine(integer)
        } else {
            hasher.combine(doubleValue)
        }
    }
}

extension JSONNumber: CustomStringConvertible {
    /// The shortest text that reads back as the same value (`0.1`, `1e+300`, `42`).
    public var description: String {
        switch self {
        case .integer(let value): String(value)
        case .double(let value):
            value.isFinite ? "\(value)" : "null"
        }
    }
}
