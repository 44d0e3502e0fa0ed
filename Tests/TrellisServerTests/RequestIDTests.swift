import Foundation
import Testing
import TrellisJSON

/// `X-Request-Id`: the client's when well-formed, otherwise a new UUID-shaped id, echoed.
@Suite struct RequestIDTests {
    static let endpoints: JSONValue = [["path": "/hello", "mode": "mock", "body": ["message": "hi"]]]

    /// 8-4-4-4-12 lowercase hex digits, version 4, RFC 9562 variant.
    static func isUUIDShaped(_ id: String) -> Bool {
        let groups = id.split(separator: "-", omittingEmptySubsequences: false)
        guard groups.map(\.count) == [8, 4, 4, 4, 12] else { return false }
        guard groups.allSatisfy({ $0.allSatisfy { $0.isHexDigit && !$0.isUppercase } }) else { return false }
        return groups[2].first == "4" && "89ab".contains(groups[3].first!)
    }

    @Test func generatedIdsAreUUIDShapedAndDistinct() async throws {
        try await EndpointsTestServer.with(endpoints: Self.endpoints) { server in
            var seen = Set<String>()
            for _ in 0..<200 {
                let response = try await server.get("/hello")
                let id = try #require(response.header("X-Request-Id"))
                #expect(Self.isUUIDShaped(id), "\(id)")
                seen.insert(id)
            }
            #expect(seen.count == 200)
        }
    }

    @Test(arguments: ["has space", String(repeating: "a", count: 129), "é", ""])
    func malformedIdsAreReplaced(header: String) async throws {
        try await EndpointsTestServer.with(endpoints: Self.endpoints) { server in
            let response = try await server.get("/hello", headers: [("X-Request-Id", header)])
            let id = try #require(response.header("X-Request-Id"))
            #expect(id != header && Self.isUUIDShaped(id), "\(id)")
        }
    }

    @Test func wellFormedIdsAreKeptOnAnswersAndProblems() async throws {
        try await EndpointsTestServer.with(endpoints: Self.endpoints) { server in
            let id = "client-7.Trace_" + String(repeating: "x", count: 113)
            #expect(try await server.get("/hello", headers: [("X-Request-Id", id)]).header("X-Request-Id") == id)
            let missing = try await server.get("/missing", headers: [("X-Request-Id", id)])
            #expect(missing.status == 404 && missing.header("X-Request-Id") == id)
            #expect(try missing.json()["request_id"] == .string(id))
        }
    }
}
