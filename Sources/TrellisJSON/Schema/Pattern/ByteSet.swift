/// A set of ASCII bytes (0–127): one character class of a ``PatternSyntax``.
///
/// Complements stay within ASCII. That is exact for the automaton's purposes, because it
/// hands every string with a byte outside its alphabet back to `NSRegularExpression`.
struct ByteSet: Hashable, Sendable {
    private var low: UInt64 = 0
    private var high: UInt64 = 0

    init() {}

    init(_ bytes: some Sequence<UInt8>) {
        for byte in bytes { insert(byte) }
    }

    init(_ range: ClosedRange<UInt8>) {
        for byte in range { insert(byte) }
    }

    func contains(_ byte: UInt8) -> Bool {
        if byte < 64 { return low & (1 << UInt64(byte)) != 0 }
        if byte < 128 { return high & (1 << UInt64(byte - 64)) != 0 }
        return false
    }

    mutating func insert(_ byte: UInt8) {
        precondition(byte < 128, "ByteSet holds ASCII only")
        if byte < 64 { low |= 1 << UInt64(byte) } else { high |= 1 << UInt64(byte - 64) }
    }

    mutating func formUnion(_ other: ByteSet) {
        low |= other.low
        high |= other.high
    }

    /// Every ASCII byte not in this set.
    var complement: ByteSet {
        var result = ByteSet()
        result.low = ~low
        result.high = ~high
        return result
    }

    static let all = ByteSet().complement
    /// `\d`: ECMA-262 digits are ASCII only (the reason `Pattern` rewrites `\d` for ICU).
    static let digits = ByteSet(UInt8(ascii: "0")...UInt8(ascii: "9"))
    /// `\w`: ASCII letters, digits and `_`.
    static let word: ByteSet = {
        var set = digits
        set.formUnion(ByteSet(UInt8(ascii: "a")...UInt8(ascii: "z")))
        set.formUnion(ByteSet(UInt8(ascii: "A")...UInt8(ascii: "Z")))
        set.insert(UInt8(ascii: "_"))
        return set
    }()
    /// `\s` within ASCII: tab, line feed, vertical tab, form feed, carriage return, space.
    static let space = ByteSet([0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20])
    /// The line terminators that ICU and ECMA-262 treat differently for `.` and `$`
    /// (LF, VT, FF, CR). Strings holding one are left to `NSRegularExpression`.
    static let lineTerminators = ByteSet([0x0A, 0x0B, 0x0C, 0x0D])
    /// `.`: any character but a line terminator.
    static let dot = ByteSet.lineTerminators.complement
}
