internal import Foundation
public import HTTPTypes
public import Hummingbird
public import TrellisJSON

/// An HTTP error as an RFC 9457 problem: `application/problem+json` with `type`, `title`,
/// `status`, `detail`, `instance` and the request id.
///
/// Throw it from any route; the `http` system renders it.
///
/// ```swift
/// throw Problem(.notFound, detail: "no item with id '42'")
/// ```
public struct Problem: Error, Sendable, CustomStringConvertible {
    public let status: HTTPResponse.Status
    /// A URI naming the problem type; `about:blank` when the status says it all.
    public let type: String
    public let title: String
    public let detail: String
    /// Extra members (`errors` for validation problems).
    public let extensions: JSONObject
    /// Extra response headers (`Allow` on a 405).
    public let headers: HTTPFields

    public init(
        _ status: HTTPResponse.Status, type: String = "about:blank", title: String? = nil, detail: String,
        extensions: JSONObject? = nil, headers: HTTPFields = [:]
    ) {
        self.status = status
        self.type = type
        self.title = title ?? status.reasonPhrase
        self.detail = detail
        self.extensions = extensions ?? JSONValue.object([:]).objectValue!
        self.headers = headers
    }

    public var description: String { "\(status.code) \(title): \(detail)" }

    /// The problem document for a request.
    public func body(instance: String, requestID: String) -> JSONValue {
        var object: JSONObject = [
            "type": .string(type), "title": .string(title), "status": JSONValue(status.code),
            "detail": .string(detail), "instance": .string(instance), "request_id": .string(requestID),
        ]
        object.merge(extensions) { current, _ in current }
        return .object(object)
    }

    /// The `application/problem+json` response for a request.
    public func response(instance: String, requestID: String) -> Response {
        var headers = self.headers
        headers[.contentType] = "application/problem+json"
        return Response.json(body(instance: instance, requestID: requestID), status: status, headers: headers)
    }

    /// A 422 listing every validation error by JSON Pointer.
    public static func validation(_ errors: [ValidationError], detail: String = "the request body is invalid") -> Problem {
        let list: [JSONValue] = errors.map { error in
            [
                "pointer": .string(error.instanceLocation.description), "keyword": .string(error.keywordLocation.description),
                "message": .string(error.message),
            ]
        }
        return Problem(
            .unprocessableContent, type: "https://trellis.dev/problems/validation", title: "Validation failed",
            detail: "\(detail): \(errors.count == 1 ? "1 error" : "\(errors.count) errors")", extensions: ["errors": .array(list)])
    }
}

extension Response {
    /// A JSON response from a `JSONValue`.
    public static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        if headers[.contentType] == nil { headers[.contentType] = "application/json" }
        let bytes = value.serializedBytes()
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

extension Request {
    /// Reads the whole body, at most `limit` bytes.
    /// - Throws: a 413 ``Problem`` when it is larger.
    public mutating func bodyBytes(limit: Int) async throws -> [UInt8] {
        do {
            let buffer = try await collectBody(upTo: limit)
            return Array(buffer.readableBytesView)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw Problem(.contentTooLarge, detail: "the request body is larger than the limit of \(limit) bytes")
        }
    }

    /// Reads and parses a JSON body.
    /// - Throws: a 415 ``Problem`` when the content type is not JSON (`accepted` lists what is),
    ///   a 400 with line and column when it does not parse, a 413 when it is too large.
    public mutating func jsonBody(limit: Int, accepted: [String] = ["application/json"]) async throws -> JSONValue {
        let contentType = headers[.contentType]?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard let contentType, accepted.contains(contentType) else {
            throw Problem(
                .unsupportedMediaType,
                detail: "the body must be \(accepted.joined(separator: " or ")), not \(contentType ?? "a body without Content-Type")")
        }
        let bytes = try await bodyBytes(limit: limit)
        do {
            return try JSONValue(parsing: bytes)
        } catch {
            throw Problem(.badRequest, detail: "the body is not valid JSON: \(error)")
        }
    }
}
