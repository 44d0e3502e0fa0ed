import PropertyBased
import Testing

@testable import TrellisJSON

/// The pattern automaton must give `NSRegularExpression`'s answer wherever it answers, and
/// leave to `NSRegularExpression` every pattern and string it cannot answer exactly.
@Suite struct PatternTests {
    /// Patterns of the benchmark schemas, the meta-schemas and the conformance suite, and
    /// every construct of the subset, alone and combined.
    static let supported: [String] = [
        "^[0-9]+\\.[0-9]+\\.[0-9]+(-[0-9A-Za-z.-]+)?$", "^[a-z]{2}-[a-z]+-[0-9]$", "^/[a-z0-9/_-]*$",
        "^[a-z][A-Za-z0-9]*$", "^[a-z][a-z0-9-]{0,62}$", "^[0-9]+(ms|s|m|h)$", "^[A-Za-z0-9_-]{16}$",
        "^ORD-[0-9]{8}$", "^[A-Z]{3}$", "^[A-Z0-9]{4,12}$", "^[A-Z]{3}-[0-9]{4}$",
        "^[A-Z0-9][A-Z0-9 -]{1,8}[A-Z0-9]$", "^[^#]*#?$", "^[A-Za-z_][-A-Za-z0-9._]*$", "^a*$", "a+", "^\\d+$",
        "^(?:ab|cd)*$", "x|y", "^", "$", "^$", "a$|^b", "[^a-c]", "\\w+@\\w+\\.com", "\\S\\s\\S",
        "[\\d.]+", "^[^\\d]+$", "[\\w-]", "^\\D\\W$", "^[\\s]$", "a{3}", "^a{2,}$", "^a{0,0}b", "a*?b",
        "^(a|ab)(c|bcd)(d*)$", "^(a|b)*a(a|b){3}$", "(?:)", "()", "a|", "|", "^.$", "^.{2}$", "a.c",
        "\\.\\*\\+\\?\\(\\)\\[\\]\\{\\}\\|\\/\\-\\^\\$", "[.*+?()|/^]", "[-a]", "[a-]", "[^-a]", "[a^]", "[\\]\\-\\[]",
        "a\\tb", "[ ]", "a b", "#", "^ab$|^cd$", "b$", "^$|a", "a$b", "a^b", "(^a|b)c", "(a$|b)", "^(?:a{2}|b)+?$",
        "[A-Z0-9 -]", "^[a-z ]+$", "a\\n", "%", "~", "\\\"", "'", "@", "^(\\s*\\S)+$", "^-?[0-9]+(\\.[0-9]+)?$",
    ]

    /// Patterns that compile but must stay with `NSRegularExpression`.
    static let unsupported: [String] = [
        "(?=a)", "(?!a)b", "(?<=a)b", "(?<!a)b", "(a)\\1", "\\bword\\b", "\\Bx", "\\p{L}", "\\P{L}", "a*+", "a++", "a?+",
        "[[a]]", "[a&&b]", "[\\d&&[0-4]]", "\\\\d", "\\\\", "é", "caf\u{E9}", "\\u0041", "\\x41", "\\cJ",
        "(?<n>a)", "(?i)a", "\\Q.\\E", "\\A", "\\Z", "\\z", "\\G", "\\R", "\\h", "\\v", "\\N{DIGIT ONE}",
        "[[:alpha:]]", "[$]", "[{]", "a\tb", "(()*?x+){2}", "(a*)*b", "(a|)+", "(^)*", "(?:a?b?)*",
    ]

    static let strings: [String] = [
        "", "a", "b", "ab", "ba", "abc", "aab", "aaa", "aaaa", "aaab", "abab", "cd", "abcd", "abcdd", "x", "y", "b",
        "0", "42", "-3", "3.25", "1.2.3", "1.2.3-beta.1", "1.2.3-", "us-east-1", "eu-west-12", "/api/v1", "/", "api",
        "ORD-12345678", "ORD-1234567", "USD", "usd", "AB1 2CD", "A-B", "x y", " ", "  a", "#", "a#b", "##", "_", "-",
        "a-b", "a b", "a\tb", "\t", "^$", ".", "*", "[]", "foo@bar.com", "foo@bar.org", "30s", "250ms", "5x",
        "aB3", "Ab3", "a_b.c-d", "abcdefghijklmnop", "abcdefghijklmno-", ".*+?()[]{}|/-^$", "%", "~", "\"", "'", "@",
        // Outside the automaton's alphabet: must be answered by NSRegularExpression.
        "é", "aé", "é1", "a\n", "\na", "ab\n", "a\r\n", "a\u{B}", "a\u{C}", "\r", "a\u{2028}", "😀", "a😀b",
        "\u{0}", "a\u{0}b",
    ]

    @Test func automatonAgreesWithNSRegularExpression() throws {
        for source in Self.supported {
            let pattern = try #require(Pattern(source), "\(source) does not compile")
            #expect(pattern.hasAutomaton, "\(source) has no automaton")
            for string in Self.strings { try Self.expectAgreement(pattern, string) }
        }
        for source in Self.unsupported {
            let pattern = try #require(Pattern(source), "\(source) does not compile")
            #expect(!pattern.hasAutomaton, "\(source) has an automaton")
            for string in Self.strings { #expect(pattern.matches(string) == pattern.regexMatches(string)) }
        }
    }

    @Test func stringsOutsideTheAlphabetGoToNSRegularExpression() throws {
        let pattern = try #require(Pattern("^a.$"))
        #expect(pattern.automatonMatches("ab") == true)
        // ICU's `$` matches before a final line terminator and its `.` skips VT; ECMA-262's do neither.
        for string in ["a\n", "ab\n", "a\u{B}", "aé", "a😀"] {
            #expect(pattern.automatonMatches(string) == nil, "\(string.debugDescription)")
        }
        #expect(pattern.matches("ab\n") == pattern.regexMatches("ab\n"))
        // ICU's `$` before a final line feed: "c\n" matches `$\D`, so no early "impossible".
        let endThenMore = try #require(Pattern("$\\D"))
        #expect(endThenMore.automatonMatches("c") == false)
        #expect(endThenMore.automatonMatches("c\n") == nil)
        #expect(endThenMore.matches("c\n") == endThenMore.regexMatches("c\n"))
        // A match found before such a character stands, as it does for NSRegularExpression.
        let unanchored = try #require(Pattern("b+"))
        #expect(unanchored.automatonMatches("abé") == true)
    }

    @Test func subsetBoundaries() {
        #expect(PatternSyntax(parsing: "a{1000}") != nil)
        #expect(PatternSyntax(parsing: "a{1001}") == nil)
        #expect(PatternSyntax(parsing: "[z-a]") == nil)
        #expect(PatternSyntax(parsing: "[a-\\d]") == nil)
        #expect(PatternSyntax(parsing: "[\\d-z]") == nil)
        #expect(PatternSyntax(parsing: "[a-c-e]") == nil)
        #expect(PatternSyntax(parsing: "[]") == nil)
        #expect(PatternSyntax(parsing: "[^]") == nil)
        #expect(PatternSyntax(parsing: "a{,3}") == nil)
        #expect(PatternSyntax(parsing: "(a") == nil)
        #expect(PatternSyntax(parsing: "a)") == nil)
        #expect(PatternSyntax(parsing: "^*") == nil)
        #expect(PatternSyntax(parsing: "a{2}{3}") == nil)
        #expect(PatternSyntax(parsing: "a**") == nil)
        // Too many states: a DFA for "the 12th byte from the end is an a" needs 2^12.
        #expect(PatternSyntax(parsing: "(a|b)*a(a|b){11}").flatMap(PatternAutomaton.init) == nil)
        #expect(PatternSyntax(parsing: "(a{40}){40}").flatMap(PatternAutomaton.init) == nil)
    }

    @Test func randomPatternsAgreeWithNSRegularExpression() async {
        var withAutomaton = 0
        var compiled = 0
        await propertyCheck(count: 2_000, input: Self.randomCases) { source, strings in
            guard let pattern = Pattern(source) else { return }
            compiled += 1
            if pattern.hasAutomaton { withAutomaton += 1 }
            for string in strings { try Self.expectAgreement(pattern, string) }
        }
        // The generator mostly writes patterns of the subset; a test that never reaches
        // the automaton would prove nothing.
        #expect(compiled > 1_500)
        #expect(withAutomaton * 2 > compiled, "\(withAutomaton) of \(compiled) patterns have an automaton")
    }

    static func expectAgreement(_ pattern: Pattern, _ string: String) throws {
        let expected = pattern.regexMatches(string)
        if let answer = pattern.automatonMatches(string) {
            #expect(answer == expected, "\(pattern.source.debugDescription) on \(string.debugDescription)")
        }
        #expect(pattern.matches(string) == expected, "\(pattern.source.debugDescription) on \(string.debugDescription)")
    }

    // MARK: Random patterns

    /// A pattern from the subset's grammar (plus a little outside it) and strings over the
    /// characters it mentions.
    static let randomCases = Generator<(String, [String]), Shrink.None<(String, [String])>>(run: { rng in
        let source = alternation(&rng, depth: 0)
        let alphabet = ["a", "b", "c", "0", "1", "-", ".", " ", "_", "\t", "é", "\n", "#"]
        var strings: [String] = []
        for _ in 0..<12 {
            let length = Int.random(in: 0...7, using: &rng)
            strings.append((0..<length).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &rng)] }.joined())
        }
        return (source, strings)
    })

    private static func alternation(_ rng: inout some RandomNumberGenerator, depth: Int) -> String {
        let branches = Int.random(in: 0..<10, using: &rng) < 7 ? 1 : Int.random(in: 2...3, using: &rng)
        return (0..<branches).map { _ in sequence(&rng, depth: depth) }.joined(separator: "|")
    }

    private static func sequence(_ rng: inout some RandomNumberGenerator, depth: Int) -> String {
        (0..<Int.random(in: 0...4, using: &rng)).map { _ in
            let atom = atom(&rng, depth: depth)
            // ICU backtracks without end on some loops over groups that can match nothing,
            // and those stay with ICU anyway: only loops that consume are generated.
            let consumes = PatternSyntax(parsing: atom).map { !$0.matchesEmpty } ?? !atom.hasPrefix("(")
            guard consumes, Int.random(in: 0..<3, using: &rng) == 0 else { return atom }
            return atom + quantifiers[Int.random(in: 0..<quantifiers.count, using: &rng)]
        }.joined()
    }

    private static func atom(_ rng: inout some RandomNumberGenerator, depth: Int) -> String {
        if depth < 2, Int.random(in: 0..<6, using: &rng) == 0 {
            let opening = Bool.random(using: &rng) ? "(" : "(?:"
            return opening + alternation(&rng, depth: depth + 1) + ")"
        }
        return atoms[Int.random(in: 0..<atoms.count, using: &rng)]
    }

    private static let atoms = [
        "a", "a", "b", "b", "c", "0", "-", " ", "_", "^", "$", ".", "\\.", "\\-", "\\d", "\\D", "\\w", "\\W", "\\s",
        "\\S", "[ab]", "[^a]", "[a-c]", "[^a-c0]", "[\\d]", "[^\\d]", "[-a]", "[a-]", "[\\w.]", "[^\\s]", "[ _]", "\\t",
        "[0-1]", "[\\-b]", "[^-]", "(?=a)", "\\b", "[[a]]",
    ]

    private static let quantifiers = ["*", "+", "?", "{2}", "{0,2}", "{1,3}", "{2,}", "*?", "+?", "??", "{1,2}?"]
}
