/// A regular expression in the subset that ``PatternAutomaton`` matches by itself.
///
/// The subset is where ECMA-262 (what JSON Schema means) and ICU (what `NSRegularExpression`
/// runs) agree on strings of ASCII without line terminators: literals, `.`, classes with
/// ranges, `\d \D \w \W \s \S`, escaped punctuation, groups, `(?:…)`, alternation, the
/// quantifiers `* + ? {n} {n,} {n,m}` (greedy or lazy), and the anchors `^` and `$`.
/// ``init(parsing:)`` returns nil for anything else, and the pattern then stays with
/// `NSRegularExpression` alone: lookaround, backreferences, `\b`, `\p{…}`, possessive
/// quantifiers, `[` inside a class (ICU nests sets, ECMA-262 reads a literal), `\\`
/// (which the `\d` rewrite for ICU would split), quantifiers on something that can match
/// nothing, control or non-ASCII characters.
indirect enum PatternSyntax: Equatable {
    /// One byte from the set.
    case byte(ByteSet)
    case sequence([PatternSyntax])
    case alternation([PatternSyntax])
    case repetition(PatternSyntax, minimum: Int, maximum: Int?)
    /// `^`: the start of the string (no multiline mode in JSON Schema).
    case start
    /// `$`: the end of the string.
    case end

    /// The largest count accepted in `{n,m}`; larger counts are left to `NSRegularExpression`.
    static let maximumCount = 1_000

    init?(parsing pattern: String) {
        var parser = Parser(bytes: Array(pattern.utf8))
        guard parser.bytes.allSatisfy({ (0x20..<0x7F).contains($0) }),
            let syntax = try? parser.alternation(), parser.position == parser.bytes.count
        else { return nil }
        self = syntax
    }
}

extension PatternSyntax {
    /// Whether this can match without consuming a character.
    var matchesEmpty: Bool {
        switch self {
        case .byte: false
        case .sequence(let items): items.allSatisfy(\.matchesEmpty)
        case .alternation(let branches): branches.contains(where: \.matchesEmpty)
        case .repetition(let body, let minimum, _): minimum == 0 || body.matchesEmpty
        case .start, .end: true
        }
    }
}

extension PatternSyntax {
    private struct Unsupported: Error {}

    private struct Parser {
        let bytes: [UInt8]
        var position = 0

        private var peek: UInt8? { position < bytes.count ? bytes[position] : nil }

        private mutating func take() throws(Unsupported) -> UInt8 {
            guard let byte = peek else { throw Unsupported() }
            position += 1
            return byte
        }

        private mutating func skip(_ byte: Character) -> Bool {
            guard peek == byte.asciiValue else { return false }
            position += 1
            return true
        }

        mutating func alternation() throws(Unsupported) -> PatternSyntax {
            var branches = [try sequence()]
            while skip("|") { branches.append(try sequence()) }
            return branches.count == 1 ? branches[0] : .alternation(branches)
        }

        private mutating func sequence() throws(Unsupported) -> PatternSyntax {
            var items: [PatternSyntax] = []
            while let byte = peek, byte != UInt8(ascii: "|"), byte != UInt8(ascii: ")") {
                let atom = try atom()
                guard let (minimum, maximum) = try quantifier() else {
                    items.append(atom)
                    continue
                }
                // ICU mishandles some loops over bodies that can match nothing: `(()*?x+){2}`
                // does not match "xx". Such loops (and quantified anchors) stay with ICU.
                if atom.matchesEmpty { throw Unsupported() }
                items.append(.repetition(atom, minimum: minimum, maximum: maximum))
            }
            return items.count == 1 ? items[0] : .sequence(items)
        }

        private mutating func atom() throws(Unsupported) -> PatternSyntax {
            let byte = try take()
            switch byte {
            case UInt8(ascii: "("):
                if skip("?") {
                    guard skip(":") else { throw Unsupported() }
                }
                let group = try alternation()
                guard skip(")") else { throw Unsupported() }
                return group
            case UInt8(ascii: "["): return .byte(try characterClass())
            case UInt8(ascii: "."): return .byte(.dot)
            case UInt8(ascii: "^"): return .start
            case UInt8(ascii: "$"): return .end
            case UInt8(ascii: "\\"): return .byte(try escape())
            case UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "?"), UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "]"):
                throw Unsupported()
            default: return .byte(ByteSet([byte]))
            }
        }

        /// The quantifier after an atom, if any; one lazy `?` may follow it, nothing else.
        private mutating func quantifier() throws(Unsupported) -> (Int, Int?)? {
            let bounds: (Int, Int?)
            if skip("*") {
                bounds = (0, nil)
            } else if skip("+") {
                bounds = (1, nil)
            } else if skip("?") {
                bounds = (0, 1)
            } else if skip("{") {
                let minimum = try count()
                var maximum: Int? = minimum
                if skip(",") { maximum = peek == UInt8(ascii: "}") ? nil : try count() }
                guard skip("}") else { throw Unsupported() }
                if let maximum, maximum < minimum { throw Unsupported() }
                bounds = (minimum, maximum)
            } else {
                return nil
            }
            _ = skip("?")
            if let byte = peek, "*+?{".utf8.contains(byte) { throw Unsupported() }
            return bounds
        }

        private mutating func count() throws(Unsupported) -> Int {
            var value = 0
            var digits = 0
            while let byte = peek, ByteSet.digits.contains(byte) {
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
                digits += 1
                position += 1
                if value > PatternSyntax.maximumCount { throw Unsupported() }
            }
            guard digits > 0 else { throw Unsupported() }
            return value
        }

        /// The set an escape outside a class stands for (after the `\`).
        private mutating func escape() throws(Unsupported) -> ByteSet {
            let byte = try take()
            switch byte {
            case UInt8(ascii: "d"): return .digits
            case UInt8(ascii: "D"): return ByteSet.digits.complement
            case UInt8(ascii: "w"): return .word
            case UInt8(ascii: "W"): return ByteSet.word.complement
            case UInt8(ascii: "s"): return .space
            case UInt8(ascii: "S"): return ByteSet.space.complement
            case UInt8(ascii: "t"): return ByteSet([0x09])
            case UInt8(ascii: "n"): return ByteSet([0x0A])
            case UInt8(ascii: "r"): return ByteSet([0x0D])
            case UInt8(ascii: "f"): return ByteSet([0x0C])
            case UInt8(ascii: "\\"): throw Unsupported()
            default:
                // Escaped punctuation is the character itself; escaped letters and digits
                // (\b, \p, \u, \x, \0, \1, …) mean different things in ECMA-262 and ICU.
                guard byte != 0x20, !ByteSet.word.contains(byte) else { throw Unsupported() }
                return ByteSet([byte])
            }
        }

        /// A class after its `[`: literals, ranges of two literals, escapes, and a `-` first or last.
        private mutating func characterClass() throws(Unsupported) -> ByteSet {
            let negated = skip("^")
            var set = ByteSet()
            var first = true
            while true {
                let byte = try take()
                switch byte {
                case UInt8(ascii: "]"):
                    // `[]` and `[^]` match nothing and anything in ECMA-262; ICU reads a literal `]`.
                    if first { throw Unsupported() }
                    return negated ? set.complement : set
                case UInt8(ascii: "\\"):
                    set.formUnion(try escape())
                    if peek == UInt8(ascii: "-"), position + 1 < bytes.count, bytes[position + 1] != UInt8(ascii: "]") {
                        throw Unsupported()
                    }
                case UInt8(ascii: "-"):
                    guard first || peek == UInt8(ascii: "]") else { throw Unsupported() }
                    set.insert(byte)
                case _ where Self.specialInClass.contains(byte):
                    throw Unsupported()
                default:
                    guard skip("-") else {
                        set.insert(byte)
                        break
                    }
                    if peek == UInt8(ascii: "]") {
                        set.insert(byte)
                        set.insert(UInt8(ascii: "-"))
                        break
                    }
                    let upper = try take()
                    guard !Self.specialInClass.contains(upper), upper != UInt8(ascii: "\\"), upper != UInt8(ascii: "-"),
                        upper != UInt8(ascii: "]"), byte <= upper
                    else { throw Unsupported() }
                    set.formUnion(ByteSet(byte...upper))
                }
                first = false
            }
        }

        /// Characters ICU gives a meaning inside a class that ECMA-262 does not: nested sets,
        /// `&&` intersections, `{…}` strings, `[:name:]` and `$` (UnicodeSet syntax).
        private static let specialInClass = ByteSet("[&{}:$".utf8)
    }
}
