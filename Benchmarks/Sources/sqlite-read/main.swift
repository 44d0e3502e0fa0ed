// The cost of one `DocumentCollection.get(id)` on SQLite (the read behind a `database`
// endpoint's `GET /items/{id}`), outside HTTP: wall time and process CPU time per read, with
// one task reading back to back, with 64 tasks reading at once (the connections bench-http
// uses), and with 64 readers while one task keeps updating another document (the process's
// CPU then includes the writer's, so that case compares two builds, not the cases).
//
//   swift build -c release --package-path Benchmarks --product sqlite-read
//   Benchmarks/.build/release/sqlite-read [--seconds S] [--rounds R] [--tasks N]
//
// scripts/bench-sqlite-read builds it against two commits and runs them in alternation.

import Foundation
import Synchronization
import TrellisDatabase
import TrellisJSON
import TrellisStorageCapability

#if canImport(Glibc)
    import Glibc
#endif

let arguments = CommandLine.arguments
func option(_ name: String, _ fallback: Double) -> Double {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count, let value = Double(arguments[index + 1]) else {
        return fallback
    }
    return value
}
let measuredSeconds = option("--seconds", 2)
let rounds = Int(option("--rounds", 3))
let concurrentTasks = Int(option("--tasks", 64))
let label = arguments.firstIndex(of: "--label").flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil } ?? "this build"

/// The process's CPU time (user + system, every thread), in nanoseconds.
func processCPUNanoseconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
    return Double(time.tv_sec) * 1e9 + Double(time.tv_nsec)
}

func nanoseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1e9 + Double(duration.components.attoseconds) / 1e9
}

/// Counts reads across tasks.
final class Counter: Sendable {
    private let value = Mutex(0)
    func add(_ count: Int) { value.withLock { $0 += count } }
    var total: Int { value.withLock { $0 } }
}

/// Tells the writer task to stop.
final class Flag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}

struct Measurement {
    var reads: Int
    var wallPerRead: Double
    var cpuPerRead: Double
}

/// Reads `id` from `tasks` tasks until `measuredSeconds` have passed; `writer` runs beside them.
func measure(
    _ items: any DocumentCollection, id: String, tasks: Int, writer: (@Sendable () async throws -> Void)? = nil
) async throws -> Measurement {
    let counter = Counter()
    let clock = ContinuousClock()
    let deadline = clock.now + .nanoseconds(Int64(measuredSeconds * 1e9))
    let stopWriter = Flag()
    let cpuStart = processCPUNanoseconds()
    let start = clock.now
    try await withThrowingTaskGroup(of: Void.self) { group in
        if let writer {
            group.addTask {
                while !stopWriter.isSet { try await writer() }
            }
        }
        await withThrowingTaskGroup(of: Void.self) { readers in
            for _ in 0..<tasks {
                readers.addTask {
                    var reads = 0
                    while clock.now < deadline {
                        for _ in 0..<64 {
                            guard let document = try await items.get(id), document.id == id else {
                                fatalError("\(id) was not found")
                            }
                            reads += 1
                        }
                    }
                    counter.add(reads)
                }
            }
        }
        stopWriter.set()
        try await group.waitForAll()
    }
    let wall = nanoseconds(clock.now - start)
    let cpu = processCPUNanoseconds() - cpuStart
    let reads = counter.total
    return Measurement(reads: reads, wallPerRead: wall / Double(reads), cpuPerRead: cpu / Double(reads))
}

let folder = FileManager.default.temporaryDirectory.appendingPathComponent("trellis-sqlite-read-\(getpid())").path
try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: folder) }
let database = try SQLiteDatabase(path: folder + "/bench.db")
let store = SQLiteDocumentStore(database: database)
let items = try await store.collection("items", indexes: [])
// The documents scripts/bench-http seeds: {"name":"Item 1","price":1.5}, ids item-0001….
for index in 1...1000 {
    let id = "item-" + String(repeating: "0", count: 4 - String(index).count) + String(index)
    _ = try await items.insert(["name": .string("Item \(index)"), "price": JSONValue(Double(index) + 0.5)], id: id)
}
_ = try await items.insert(["name": "written", "price": 0], id: "written")
let written = Counter()

let cases: [(name: String, run: () async throws -> Measurement)] = [
    ("get, 1 task", { try await measure(items, id: "item-0500", tasks: 1) }),
    ("get, \(concurrentTasks) tasks", { try await measure(items, id: "item-0500", tasks: concurrentTasks) }),
    (
        "get, \(concurrentTasks) tasks + 1 writer",
        {
            try await measure(items, id: "item-0500", tasks: concurrentTasks) {
                _ = try await items.update("written", expectedVersion: nil) { _ in ["name": "written", "price": 1] }
                written.add(1)
            }
        }
    ),
]

// --tsv: one line per case (label, case, reads, wall ns/read, CPU ns/read), for scripts.
let tsv = arguments.contains("--tsv")
if !tsv {
    print("\(label): DocumentCollection.get on SQLite, best of \(rounds) rounds of \(measuredSeconds) s (best = least CPU per read)")
    print("| case | reads | wall ns/read | CPU ns/read |")
    print("| --- | ---: | ---: | ---: |")
}
for (name, run) in cases {
    var best: Measurement?
    for _ in 0..<rounds {
        let measurement = try await run()
        if best == nil || measurement.cpuPerRead < best!.cpuPerRead { best = measurement }
    }
    let (wall, cpu) = (String(format: "%.0f", best!.wallPerRead), String(format: "%.0f", best!.cpuPerRead))
    print(tsv ? [label, name, String(best!.reads), wall, cpu].joined(separator: "\t") : "| \(name) | \(best!.reads) | \(wall) | \(cpu) |")
}
try database.close()
