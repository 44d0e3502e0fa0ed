internal import Foundation

/// A compiled ECMA-262-style regular expression (`pattern`, `patternProperties`).
///
/// `NSRegularExpression` (ICU) defines the answer. On Linux each of its calls bridges the
/// Swift string to an `NSString` and allocates a matcher and a result, which made regular
/// expressions a third of the validator's time, so patterns in the ``PatternSyntax`` subset
/// also get a ``PatternAutomaton`` that answers for strings of ASCII without line
/// terminators, straight from their UTF-8 bytes, with the same result.
struct Pattern: @unchecked Sendable {
    // NSRegularExpression is immutable after creation and documented as safe to use
    // from several threads at once, which is all this wrapper does with it; the
    // automaton is immutable and Sendable.
    let source: String
    private let regex: NSRegularExpression
    private let automaton: PatternAutomaton?

    init?(_ source: String) {
        // NSRegularExpression decides which patterns compile, with or without an automaton.
        guard let regex = try? NSRegularExpression(pattern: Self.translate(source), options: []) else { return nil }
        self.source = source
        self.regex = regex
        self.automaton = PatternSyntax(parsing: source).flatMap(PatternAutomaton.init)
    }

    func matches(_ string: String) -> Bool {
        if let automaton, let result = automaton.matches(string) { return result }
        return regexMatches(string)
    }

    /// The answer of `NSRegularExpression` alone, which the automaton must agree with.
    func regexMatches(_ string: String) -> Bool {
        let range = NSRange(string.startIndex..<string.endIndex, in: string)
        return regex.firstMatch(in: string, options: [], range: range) != nil
    }

    /// Whether this pattern has an automaton (for tests).
    var hasAutomaton: Bool { automaton != nil }

    /// The automaton's answer alone: nil without an automaton or for a string outside its alphabet (for tests).
    func automatonMatches(_ string: String) -> Bool? { automaton?.matches(string) }

    /// ECMA-262 and ICU differ on a few escapes; `\d` and `\w` are ASCII-only in ECMA-262.
    private static func translate(_ source: String) -> String {
        guard source.contains("\\") else { return source }
        return source.replacingOccurrences(of: "\\d", with: "[0-9]")
    }
}
