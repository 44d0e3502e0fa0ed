internal import HTTPTypes
internal import Hummingbird
internal import TrellisHTTPCapability

/// The check every admin route makes: `Authorization: Bearer <admin token>`, compared in
/// constant time; anything else is a 401 problem with a `WWW-Authenticate: Bearer` challenge
/// (RFC 6750).
struct AdminAccess: Sendable {
    static let problemType = "https://trellis.dev/problems/unauthorized"
    static let realm = "trellis admin"

    private let token: [UInt8]

    init(token: String) {
        self.token = Array(token.utf8)
    }

    /// Returns when the request carries the admin token; throws the 401 problem otherwise.
    func authorize(_ request: Request) throws(Problem) {
        guard let header = request.headers[.authorization] else {
            throw Self.unauthorized(
                "admin routes need the header 'Authorization: Bearer <admin token>'; the token is TRELLIS_ADMIN_TOKEN, "
                    + "or the one trellis serve keeps in admin-token in its data dir")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw Self.unauthorized("admin routes take a bearer token: send 'Authorization: Bearer <admin token>'")
        }
        let presented = Array(parts[1].drop { $0 == " " }.utf8)
        guard Self.constantTimeEquals(presented, token) else {
            throw Self.unauthorized("the bearer token is not the admin token", error: "invalid_token")
        }
    }

    /// Whether `presented` equals `expected`, taking time that depends only on `expected`'s
    /// length: every byte is compared, and a difference is accumulated rather than returned early.
    static func constantTimeEquals(_ presented: [UInt8], _ expected: [UInt8]) -> Bool {
        var difference: UInt8 = presented.count == expected.count ? 0 : 1
        for index in expected.indices {
            difference |= (index < presented.count ? presented[index] : 0) ^ expected[index]
        }
        return difference == 0
    }

    private static func unauthorized(_ detail: String, error: String? = nil) -> Problem {
        let challenge = "Bearer realm=\"\(realm)\"" + (error.map { ", error=\"\($0)\"" } ?? "")
        return Problem(.unauthorized, type: problemType, title: "Unauthorized", detail: detail, headers: [.wwwAuthenticate: challenge])
    }
}
