import PropertyBased
import Testing
import TrellisCore

/// A random dependency graph: `requires[i]` lists the indices system `i` requires.
struct RandomGraph: Sendable, CustomStringConvertible {
    var ids: [String]
    var requires: [[Int]]
    /// A shuffle of the indices, to hand the manifests over in another order.
    var permutation: [Int]

    var manifests: [SystemManifest] {
        ids.indices.map { index in .test(ids[index], requires: requires[index].map { ids[$0] }) }
    }

    var permutedManifests: [SystemManifest] {
        let all = manifests
        return permutation.map { all[$0] }
    }

    /// Every edge as (system, required system), by id.
    var edges: Set<[String]> {
        Set(ids.indices.flatMap { index in requires[index].map { [ids[index], ids[$0]] } })
    }

    var description: String {
        ids.indices.map { "\(ids[$0]) requires \(requires[$0].map { ids[$0] })" }.joined(separator: "; ")
    }

    /// Distinct valid ids: a letter, then up to five of `[a-z0-9_]`.
    static func randomIDs(count: Int, using rng: inout any SeededRandomNumberGenerator) -> [String] {
        let letters = Array("abcdefghijklmnopqrstuvwxyz")
        let tail = letters + Array("0123456789_")
        var seen: Set<String> = []
        var ids: [String] = []
        while ids.count < count {
            var id = String(letters.randomElement(using: &rng)!)
            for _ in 0..<Int.random(in: 0...5, using: &rng) { id.append(tail.randomElement(using: &rng)!) }
            if seen.insert(id).inserted { ids.append(id) }
        }
        return ids
    }

    /// A random DAG: edges only from a higher index to a lower one, so there is no cycle.
    static func dag(using rng: inout any SeededRandomNumberGenerator) -> RandomGraph {
        let count = Int.random(in: 1...14, using: &rng)
        let density = Double.random(in: 0...0.6, using: &rng)
        let requires = (0..<count).map { index in
            (0..<index).filter { _ in Double.random(in: 0..<1, using: &rng) < density }
        }
        return RandomGraph(
            ids: randomIDs(count: count, using: &rng), requires: requires,
            permutation: Array(0..<count).shuffled(using: &rng))
    }

    /// A random DAG with one cycle of two or more systems injected.
    static func cyclic(using rng: inout any SeededRandomNumberGenerator) -> RandomGraph {
        var graph = dag(using: &rng)
        while graph.ids.count < 2 { graph = dag(using: &rng) }
        let length = Int.random(in: 2...graph.ids.count, using: &rng)
        let loop = Array(graph.ids.indices.shuffled(using: &rng).prefix(length))
        for (position, node) in loop.enumerated() {
            let next = loop[(position + 1) % loop.count]
            if !graph.requires[node].contains(next) { graph.requires[node].append(next) }
        }
        return graph
    }
}

@Suite("Boot plan properties")
struct BootPlanPropertyTests {
    static let dags = Generator<RandomGraph, Shrink.None<RandomGraph>>(run: { rng in RandomGraph.dag(using: &rng) })
    static let cyclicGraphs = Generator<RandomGraph, Shrink.None<RandomGraph>>(run: { rng in RandomGraph.cyclic(using: &rng) })

    @Test("the order of a random DAG holds every system once, each after all it requires")
    func orderRespectsEveryEdge() async {
        await propertyCheck(count: 200, input: Self.dags) { graph in
            let plan = try BootPlan.make(manifests: graph.manifests)
            #expect(plan.order.sorted() == graph.ids.sorted())
            let position = Dictionary(uniqueKeysWithValues: plan.order.enumerated().map { ($1, $0) })
            for edge in graph.edges {
                #expect(position[edge[0]]! > position[edge[1]]!, "\(edge[0]) must start after \(edge[1])")
            }
        }
    }

    @Test("among the systems ready at each step, the plan takes the smallest id")
    func tiesBrokenByID() async {
        await propertyCheck(count: 200, input: Self.dags) { graph in
            let plan = try BootPlan.make(manifests: graph.manifests)
            let required = Dictionary(
                uniqueKeysWithValues: graph.ids.indices.map { (graph.ids[$0], Set(graph.requires[$0].map { graph.ids[$0] })) })
            var placed: Set<String> = []
            for id in plan.order {
                let ready = graph.ids.filter { !placed.contains($0) && required[$0]!.isSubset(of: placed) }
                #expect(id == ready.min(), "after \(placed.sorted()) the ready systems are \(ready.sorted())")
                placed.insert(id)
            }
        }
    }

    @Test("the order is identical across runs and input permutations")
    func orderIsDeterministic() async {
        await propertyCheck(count: 200, input: Self.dags) { graph in
            let first = try BootPlan.make(manifests: graph.manifests).order
            #expect(try BootPlan.make(manifests: graph.manifests).order == first)
            #expect(try BootPlan.make(manifests: graph.permutedManifests).order == first)
            #expect(try BootPlan.make(manifests: graph.manifests.reversed()).order == first)
        }
    }

    @Test("a graph with a cycle is refused with a cycle whose path is real")
    func cyclesAreReal() async {
        await propertyCheck(count: 200, input: Self.cyclicGraphs) { graph in
            let error = #expect(throws: BootError.self) { try BootPlan.make(manifests: graph.permutedManifests) }
            let problems = error?.problems ?? []
            #expect(problems.allSatisfy { $0.code == .dependencyCycle }, "\(problems)")
            let cycles = problems.filter { $0.code == .dependencyCycle }
            #expect(!cycles.isEmpty)
            let edges = graph.edges
            for problem in cycles {
                let prefix = "dependency cycle: "
                #expect(problem.message.hasPrefix(prefix))
                let path = problem.message.dropFirst(prefix.count).components(separatedBy: " → ")
                #expect(path.count >= 3, "a cycle of two or more systems: \(path)")
                #expect(path.first == path.last)
                #expect(Set(path.dropLast()).count == path.count - 1, "no system twice inside the cycle: \(path)")
                #expect(problem.systemID == path.first)
                for (from, to) in zip(path, path.dropFirst()) {
                    #expect(edges.contains([from, to]), "\(from) → \(to) is not an edge")
                }
            }
        }
    }
}
