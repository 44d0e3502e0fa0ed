/// A deterministic automaton that answers "does the pattern match somewhere in this string"
/// by one table lookup per byte, for patterns in the ``PatternSyntax`` subset.
///
/// It runs on the string's UTF-8 bytes directly. Its alphabet is ASCII without the line
/// terminators LF, VT, FF and CR; at any other byte it gives up (`nil`), and ``Pattern``
/// asks `NSRegularExpression` instead. On that alphabet a byte is a character, and ECMA-262
/// and ICU agree on every construct of the subset (ICU's `$` also matches before a final
/// line terminator and its `.` skips VT and FF; ECMA-262's does neither), so the answer is
/// the one `NSRegularExpression` would give, without bridging the string.
///
/// The automaton is built once, with the schema: a Thompson NFA of the pattern behind a
/// "skip any byte" loop (the search for a match anywhere), turned into a DFA by subset
/// construction over classes of bytes that no part of the pattern tells apart. A match is
/// found as soon as the DFA reaches a state holding the NFA's match state, or at the end
/// of the string when a `$` leads to it. Patterns whose DFA would exceed
/// ``maximumStates`` are not built (nil).
///
/// - Important: Immutable after `init`, so one automaton is shared by every validation on
///   any thread.
final class PatternAutomaton: Sendable {
    /// Live states are `0..<liveStates`; the next three numbers are terminal outcomes.
    private let liveStates: Int
    private let start: UInt16
    /// `transitions[state * stride + byteClass]`; the last class of each row is "give up".
    private let transitions: [UInt16]
    private let stride: Int
    /// The byte class of every byte value.
    private let byteClasses: [UInt8]
    /// Whether each live state matches when the string ends there (through a `$` or not).
    private let matchesAtEnd: [Bool]
    /// Whether the empty string matches (where `^` and `$` both hold at once).
    private let matchesEmpty: Bool

    static let maximumStates = 1_024

    private var found: Int { liveStates }
    private var impossible: Int { liveStates + 1 }
    private var givenUp: Int { liveStates + 2 }

    init?(_ syntax: PatternSyntax) {
        guard let nfa = NFA(syntax), let built = DFA(nfa) else { return nil }
        liveStates = built.rows.count
        stride = built.classCount + 1
        byteClasses = built.byteClasses
        matchesEmpty = built.matchesEmpty
        matchesAtEnd = built.matchesAtEnd
        func number(_ target: DFA.Target) -> UInt16 {
            switch target {
            case .state(let index): UInt16(index)
            case .found: UInt16(built.rows.count)
            case .impossible: UInt16(built.rows.count + 1)
            case .givenUp: UInt16(built.rows.count + 2)
            }
        }
        start = number(built.start)
        var transitions: [UInt16] = []
        transitions.reserveCapacity(built.rows.count * stride)
        for row in built.rows {
            for target in row { transitions.append(number(target)) }
            transitions.append(number(.givenUp))
        }
        self.transitions = transitions
    }

    /// Whether the pattern matches somewhere in `string`, or nil when the string holds a
    /// character outside the automaton's alphabet.
    func matches(_ string: String) -> Bool? {
        if let result = string.utf8.withContiguousStorageIfAvailable({ matches(utf8: $0) }) { return result }
        var contiguous = string
        contiguous.makeContiguousUTF8()
        return contiguous.utf8.withContiguousStorageIfAvailable { matches(utf8: $0) } ?? nil
    }

    private func matches(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Bool? {
        if bytes.isEmpty { return matchesEmpty }
        var state = Int(start)
        let liveStates = liveStates
        let stride = stride
        transitions.withUnsafeBufferPointer { transitions in
            byteClasses.withUnsafeBufferPointer { byteClasses in
                for byte in bytes {
                    guard state < liveStates else { break }
                    state = Int(transitions[state &* stride &+ Int(byteClasses[Int(byte)])])
                }
            }
        }
        switch state {
        case found: return true
        case impossible: return false
        case givenUp: return nil
        default: return matchesAtEnd[state]
        }
    }
}

extension PatternAutomaton {
    /// A Thompson NFA: states that consume one byte, fork, or test an anchor.
    struct NFA {
        enum State {
            case consume(ByteSet, next: Int)
            case fork(Int, Int)
            case start(next: Int)
            case end(next: Int)
            case match
        }

        static let maximumStates = 4_096

        private(set) var states: [State] = [.match]
        /// The search loop's fork: into the pattern, or past one more byte of the string.
        private(set) var entry = 0

        init?(_ syntax: PatternSyntax) {
            guard let pattern = try? compile(syntax, then: 0) else { return nil }
            entry = states.count
            states.append(.fork(pattern, entry + 1))
            states.append(.consume(.all, next: entry))
        }

        private mutating func add(_ state: State) throws(TooLarge) -> Int {
            guard states.count < Self.maximumStates else { throw TooLarge() }
            states.append(state)
            return states.count - 1
        }

        struct TooLarge: Error {}

        /// Adds the states of `syntax` that continue to `next`, returning its first state.
        private mutating func compile(_ syntax: PatternSyntax, then next: Int) throws(TooLarge) -> Int {
            switch syntax {
            case .byte(let set):
                return try add(.consume(set, next: next))
            case .sequence(let items):
                var first = next
                for item in items.reversed() { first = try compile(item, then: first) }
                return first
            case .alternation(let branches):
                var first = try compile(branches[branches.count - 1], then: next)
                for branch in branches.dropLast().reversed() {
                    first = try add(.fork(try compile(branch, then: next), first))
                }
                return first
            case .repetition(let body, let minimum, let maximum):
                var first = next
                if let maximum {
                    for _ in minimum..<maximum { first = try add(.fork(try compile(body, then: first), next)) }
                } else {
                    let loop = try add(.fork(0, next))
                    states[loop] = .fork(try compile(body, then: loop), next)
                    first = loop
                }
                for _ in 0..<minimum { first = try compile(body, then: first) }
                return first
            case .start:
                return try add(.start(next: next))
            case .end:
                return try add(.end(next: next))
            }
        }
    }
}
