extension PatternAutomaton {
    /// The subset construction: each DFA state is the set of NFA states live after a prefix
    /// of the string, closed over forks (and over `^` before the first byte only).
    struct DFA {
        enum Target: Hashable {
            case state(Int)
            /// A match was found; the rest of the string does not matter.
            case found
            /// Only the search loop is left and the pattern is anchored by `^`: no match is possible.
            case impossible
            /// A byte outside the alphabet.
            case givenUp
        }

        /// `rows[state][byteClass]`.
        private(set) var rows: [[Target]] = []
        private(set) var matchesAtEnd: [Bool] = []
        private(set) var matchesEmpty = false
        private(set) var start = Target.impossible
        private(set) var classCount = 0
        /// The class of every byte value; bytes outside the alphabet get `classCount`.
        private(set) var byteClasses = [UInt8](repeating: 0, count: 256)

        /// How many words of NFA state sets construction may touch before the pattern counts as too large.
        static let workBudget = 4_000_000

        private let nfa: NFA
        private let words: Int
        /// Each state's closure over forks alone (`words` words from `state * words`), filled
        /// in when first needed, in one array rather than one per state.
        private var forkClosures: [UInt64]
        private var forkClosureKnown: [Bool]
        private var pending: [Int] = []
        private var work = 0

        init?(_ nfa: NFA) {
            self.nfa = nfa
            words = (nfa.states.count + 63) / 64
            forkClosures = Array(repeating: 0, count: nfa.states.count * words)
            forkClosureKnown = Array(repeating: false, count: nfa.states.count)
            let representatives = classifyBytes()
            do { try build(representatives) } catch { return nil }
        }

        /// A set of NFA states, one bit each.
        struct StateSet: Hashable {
            var words: [UInt64]

            init(words: Int) { self.words = Array(repeating: 0, count: words) }

            func contains(_ state: Int) -> Bool { words[state >> 6] & (1 << UInt64(state & 63)) != 0 }

            mutating func insert(_ state: Int) { words[state >> 6] |= 1 << UInt64(state & 63) }

            var members: [Int] {
                var result: [Int] = []
                result.reserveCapacity(words.reduce(0) { $0 + $1.nonzeroBitCount })
                for (index, word) in words.enumerated() {
                    var rest = word
                    while rest != 0 {
                        result.append(index << 6 + rest.trailingZeroBitCount)
                        rest &= rest - 1
                    }
                }
                return result
            }
        }

        /// Splits the alphabet into classes of bytes that every consuming NFA state treats
        /// alike, by refining one class with each distinct set in turn; returns one byte of each.
        private mutating func classifyBytes() -> [UInt8] {
            var sets = Set<ByteSet>()
            for case .consume(let set, _) in nfa.states { sets.insert(set) }
            let alphabet = (UInt8(0)..<128).filter { !ByteSet.lineTerminators.contains($0) }
            var classes = [Int](repeating: 0, count: 128)
            var count = 1
            for set in sets {
                var renumbered = [Int](repeating: -1, count: count * 2)
                var refined = 0
                for byte in alphabet {
                    let key = classes[Int(byte)] * 2 + (set.contains(byte) ? 1 : 0)
                    if renumbered[key] < 0 {
                        renumbered[key] = refined
                        refined += 1
                    }
                    classes[Int(byte)] = renumbered[key]
                }
                count = refined
            }
            var representatives = [UInt8](repeating: 0, count: count)
            for byte in alphabet.reversed() { representatives[classes[Int(byte)]] = byte }
            classCount = count
            for byte in 0..<256 {
                let inAlphabet = byte < 128 && !ByteSet.lineTerminators.contains(UInt8(byte))
                byteClasses[byte] = UInt8(inAlphabet ? classes[byte] : count)
            }
            return representatives
        }

        private struct TooLarge: Error {}

        private mutating func build(_ representatives: [UInt8]) throws(TooLarge) {
            let entry = [nfa.entry]
            let startSet = try closure(entry, atStart: true, atEnd: false)
            matchesEmpty = try closure(startSet.members, atStart: true, atEnd: true).contains(0)
            // After the first byte, a state equal to this set has nothing left but the search
            // loop. When that loop cannot reach a match without `^`, it never will. (A `$` it
            // reaches could still hold before a final line terminator for ICU, so it must not
            // reach one.)
            let searchOnly = try closure(entry, atStart: false, atEnd: false)
            let searchOnlyConsumesOnlyInLoop = searchOnly.members.allSatisfy { state in
                switch nfa.states[state] {
                case .consume: state == nfa.entry + 1
                case .end: false
                case .fork, .start, .match: true
                }
            }
            let searchOnlyMatchesAtEnd = try closure(searchOnly.members, atStart: false, atEnd: true).contains(0)
            let searchOnlyIsHopeless = searchOnlyConsumesOnlyInLoop && !searchOnlyMatchesAtEnd

            var sets: [StateSet] = []
            var numbers: [StateSet: Int] = [:]
            func target(_ set: StateSet) throws(TooLarge) -> Target {
                if set.contains(0) { return .found }
                if searchOnlyIsHopeless, set == searchOnly { return .impossible }
                if let number = numbers[set] { return .state(number) }
                guard sets.count < PatternAutomaton.maximumStates else { throw TooLarge() }
                numbers[set] = sets.count
                sets.append(set)
                return .state(sets.count - 1)
            }

            // Only a `$` can lead to a match at the end: the match state itself is never live.
            var ends = StateSet(words: words)
            for (state, kind) in nfa.states.enumerated() {
                if case .end = kind { ends.insert(state) }
            }

            start = try target(startSet)
            var reached = StateSet(words: words)
            var next = 0
            while next < sets.count {
                let set = sets[next]
                next += 1
                let members = set.members
                var consumers: [(ByteSet, Int)] = []
                consumers.reserveCapacity(members.count)
                for state in members {
                    if case .consume(let bytes, let following) = nfa.states[state] { consumers.append((bytes, following)) }
                }
                var row: [Target] = []
                row.reserveCapacity(representatives.count)
                for byte in representatives {
                    // Reused: it is copied only when it becomes a new state.
                    for index in reached.words.indices { reached.words[index] = 0 }
                    for (bytes, following) in consumers where bytes.contains(byte) {
                        try addForkClosure(of: following, to: &reached)
                    }
                    row.append(try target(reached))
                }
                rows.append(row)
                let reachesEnd = zip(set.words, ends.words).contains { $0 & $1 != 0 }
                matchesAtEnd.append(reachesEnd ? try closure(members, atStart: false, atEnd: true).contains(0) : false)
            }
        }

        /// Adds the closure of one state over forks alone (what follows a consumed byte) to `set`.
        private mutating func addForkClosure(of state: Int, to set: inout StateSet) throws(TooLarge) {
            let base = state * words
            if !forkClosureKnown[state] {
                pending.removeAll(keepingCapacity: true)
                pending.append(state)
                while let reached = pending.popLast() {
                    let word = base + reached >> 6
                    let bit: UInt64 = 1 << UInt64(reached & 63)
                    guard forkClosures[word] & bit == 0 else { continue }
                    forkClosures[word] |= bit
                    work += 1
                    if case .fork(let first, let second) = nfa.states[reached] {
                        pending.append(second)
                        pending.append(first)
                    }
                }
                forkClosureKnown[state] = true
            }
            work += words
            if work > Self.workBudget { throw TooLarge() }
            for index in 0..<words { set.words[index] |= forkClosures[base + index] }
        }

        /// The NFA states reachable from `seeds` without consuming a byte.
        private mutating func closure(_ seeds: [Int], atStart: Bool, atEnd: Bool) throws(TooLarge) -> StateSet {
            var reached = StateSet(words: words)
            var pending = seeds
            pending.reserveCapacity(nfa.states.count)
            while let state = pending.popLast() {
                guard !reached.contains(state) else { continue }
                reached.insert(state)
                work += 1
                if work > Self.workBudget { throw TooLarge() }
                switch nfa.states[state] {
                case .fork(let first, let second):
                    pending.append(second)
                    pending.append(first)
                case .start(let next) where atStart: pending.append(next)
                case .end(let next) where atEnd: pending.append(next)
                case .consume, .match, .start, .end: break
                }
            }
            return reached
        }
    }
}
