import Foundation
import Testing
import TrellisCore
import TrellisJSON

@testable import TrellisAdmin

/// Every admin route needs `Authorization: Bearer <token>`: from `TRELLIS_ADMIN_TOKEN`, or
/// generated at the first start and kept (mode 0600) in the data dir.
@Suite struct AdminAccessTests {
    static let unauthorized = "https://trellis.dev/problems/unauthorized"
    static let missingDetail =
        "admin routes need the header 'Authorization: Bearer <admin token>'; the token is TRELLIS_ADMIN_TOKEN, "
        + "or the one trellis serve keeps in admin-token in its data dir"

    @Test(
        "without the header, every admin route answers a 401 problem with a Bearer challenge",
        arguments: ["/metrics", "/api/v1/admin/systems"])
    func withoutTheHeader(path: String) async throws {
        try await AdminTestServer.with { server in
            let response = try await server.client.get(path)
            try response.expectProblem(401, "Unauthorized", detail: Self.missingDetail, instance: path, type: Self.unauthorized)
            #expect(response.header("WWW-Authenticate") == #"Bearer realm="trellis admin""#)
        }
    }

    @Test(
        "a wrong token is refused as invalid_token, however close it is",
        arguments: [
            "wrong", String(AdminTestServer.token.dropLast()), AdminTestServer.token + "x", AdminTestServer.token.uppercased(),
            AdminTestServer.token + " extra",
        ])
    func wrongToken(token: String) async throws {
        try await AdminTestServer.with { server in
            let response = try await server.client.get("/api/v1/admin/systems", headers: [("Authorization", "Bearer \(token)")])
            try response.expectProblem(
                401, "Unauthorized", detail: "the bearer token is not the admin token", instance: "/api/v1/admin/systems",
                type: Self.unauthorized)
            #expect(response.header("WWW-Authenticate") == #"Bearer realm="trellis admin", error="invalid_token""#)
        }
    }

    @Test(
        "another scheme, or Bearer without a token, is refused, naming what to send",
        arguments: ["Basic " + Data("admin:\(AdminTestServer.token)".utf8).base64EncodedString(), "Bearer", AdminTestServer.token])
    func otherScheme(authorization: String) async throws {
        try await AdminTestServer.with { server in
            let response = try await server.client.get("/metrics", headers: [("Authorization", authorization)])
            try response.expectProblem(
                401, "Unauthorized", detail: "admin routes take a bearer token: send 'Authorization: Bearer <admin token>'",
                instance: "/metrics", type: Self.unauthorized)
            #expect(response.header("WWW-Authenticate") == #"Bearer realm="trellis admin""#)
        }
    }

    @Test("the token from TRELLIS_ADMIN_TOKEN opens every admin route; the scheme is case-insensitive; no file is written")
    func tokenFromTheEnvironment() async throws {
        try await AdminTestServer.with { server in
            for scheme in ["Bearer", "bearer", "BEARER"] {
                let response = try await server.client.get(
                    "/api/v1/admin/systems", headers: [("Authorization", "\(scheme) \(AdminTestServer.token)")])
                #expect(response.status == 200, "\(scheme)")
            }
            #expect(try await server.admin("/metrics").status == 200)
            #expect(server.admin.tokenNotice == "token from the configuration (TRELLIS_ADMIN_TOKEN)")
            #expect(!FileManager.default.fileExists(atPath: server.directory.path("admin-token")))
        }
    }

    @Test("a TRELLIS_ADMIN_TOKEN shorter than 16 characters stops the boot, without showing the token")
    func shortTokenFromTheEnvironment() async throws {
        do {
            try await AdminTestServer.with(environment: ["TRELLIS_ADMIN_TOKEN": "tiny-secret"]) { _ in
                Issue.record("the server started with a 11-character admin token")
            }
        } catch let error as BootError {
            #expect(
                error.problems.map(\.message).contains {
                    $0.hasPrefix("environment variable TRELLIS_ADMIN_TOKEN: /systems/admin/config/token: ")
                })
            #expect(!"\(error)".contains("tiny-secret"))
        }
    }

    @Test("without TRELLIS_ADMIN_TOKEN, a token is generated at the first start, stored with mode 0600 and reused")
    func generatedTokenIsStoredAndReused() async throws {
        let directory = try ServeDirectory()
        let file = directory.path("admin-token")
        var generated = ""
        try await AdminTestServer.with(environment: [:], directory: directory) { server in
            let contents = try String(contentsOfFile: file, encoding: .utf8)
            #expect(contents.hasSuffix("\n"))
            generated = contents.trimmingCharacters(in: .newlines)
            // 32 random bytes, base64url without padding.
            #expect(generated.count == 43)
            #expect(generated.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
            #expect(try permissions(file) == 0o600)
            #expect(server.admin.tokenNotice == "token \(generated) (new: saved to \(file), mode 0600; shown only this once)")
            let response = try await server.client.get("/api/v1/admin/systems", headers: [("Authorization", "Bearer \(generated)")])
            #expect(response.status == 200)
        }
        try await AdminTestServer.with(environment: [:], directory: directory) { server in
            #expect(server.admin.tokenNotice == "token in \(file)")
            #expect(try String(contentsOfFile: file, encoding: .utf8) == generated + "\n")
            let response = try await server.client.get("/api/v1/admin/systems", headers: [("Authorization", "Bearer \(generated)")])
            #expect(response.status == 200)
        }
    }

    @Test("two data dirs get two different tokens")
    func tokensDiffer() async throws {
        var tokens: Set<String> = []
        for _ in 0..<2 {
            let directory = try ServeDirectory()
            try await AdminTestServer.with(environment: [:], directory: directory) { _ in
                tokens.insert(try String(contentsOfFile: directory.path("admin-token"), encoding: .utf8))
            }
        }
        #expect(tokens.count == 2)
    }

    @Test("a token file others can read is tightened to 0600 and still used")
    func looseTokenFileIsTightened() async throws {
        let directory = try ServeDirectory()
        let file = try directory.write("admin-token", "  hand-written-admin-token-42 \n")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file)
        try await AdminTestServer.with(environment: [:], directory: directory) { server in
            #expect(try permissions(file) == 0o600)
            let response = try await server.client.get("/metrics", headers: [("Authorization", "Bearer hand-written-admin-token-42")])
            #expect(response.status == 200)
        }
    }

    @Test("an empty token file keeps the admin system from starting, saying what to do; the rest of the server runs")
    func emptyTokenFile() async throws {
        let directory = try ServeDirectory()
        let file = try directory.write("admin-token", "\n")
        try await AdminTestServer.with(environment: [:], directory: directory) { server in
            let state = await server.harness.kernel.state(of: "admin")
            #expect(
                state
                    == .failed(
                        reason: "failed to start: the admin token file \(file) is empty; delete it to have a new token generated, "
                            + "or set TRELLIS_ADMIN_TOKEN"))
            let metrics = try await server.client.get("/metrics")
            #expect(metrics.status == 404)
            let health = try await server.client.get("/health")
            #expect(health.status == 200)
        }
    }

    @Test("with metrics_public, /metrics needs no token; the admin API still does")
    func publicMetrics() async throws {
        try await AdminTestServer.with(admin: ["metrics_public": true]) { server in
            let metrics = try await server.client.get("/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8")
            #expect(try await server.client.get("/api/v1/admin/systems").status == 401)
        }
    }

    @Test("metrics_public changed at runtime takes effect for the next request; the token stays")
    func metricsPublicAtRuntime() async throws {
        try await AdminTestServer.with { server in
            let before = try await server.client.get("/metrics")
            #expect(before.status == 401)
            let kernel = server.harness.kernel
            let preview = try await kernel.propose("admin", JSONPatch([.replace(path: "/metrics_public", value: true)]))
            #expect(preview.errors.isEmpty)
            try await kernel.apply(preview, actor: "test", reason: "open /metrics to the scraper")
            let after = try await server.client.get("/metrics")
            #expect(after.status == 200)
            #expect(try await server.client.get("/api/v1/admin/systems").status == 401)
            #expect(try await server.admin("/api/v1/admin/systems").status == 200)
        }
    }

    @Test("the first start of trellis serve prints the generated token in its banner; later starts say where it is")
    func bannerShowsTheGeneratedTokenOnce() async throws {
        let directory = try ServeDirectory()
        let data = directory.path("data")
        let file = data + "/admin-token"
        let token = try await InProcessServer.with(configPath: nil, dataDirectory: data) { running, client in
            let token = try String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .newlines)
            #expect(running.banner.contains("\n  admin:     token \(token) (new: saved to \(file), mode 0600; shown only this once)\n"))
            #expect(try await client.get("/api/v1/admin/systems", headers: [("Authorization", "Bearer \(token)")]).status == 200)
            return token
        }
        try await InProcessServer.with(configPath: nil, dataDirectory: data) { running, client in
            #expect(running.banner.contains("\n  admin:     token in \(file)\n"))
            #expect(!running.banner.contains(token))
            let systems = try await client.get("/api/v1/admin/systems", headers: [("Authorization", "Bearer \(token)")])
            #expect(systems.status == 200)
        }
    }

    @Test("tokens compare equal only when every byte matches")
    func constantTimeComparison() {
        #expect(AdminAccess.constantTimeEquals(Array("abc".utf8), Array("abc".utf8)))
        #expect(!AdminAccess.constantTimeEquals(Array("abd".utf8), Array("abc".utf8)))
        #expect(!AdminAccess.constantTimeEquals(Array("ab".utf8), Array("abc".utf8)))
        #expect(!AdminAccess.constantTimeEquals(Array("abcd".utf8), Array("abc".utf8)))
        #expect(!AdminAccess.constantTimeEquals(Array("".utf8), Array("abc".utf8)))
        #expect(!AdminAccess.constantTimeEquals(Array("abc\0".utf8), Array("abc".utf8)))
    }
}

private func permissions(_ path: String) throws -> Int {
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
}
