internal import Foundation
internal import HTTPTypes
internal import Hummingbird
internal import TrellisHTTPCapability
internal import TrellisJSON
internal import TrellisStorageCapability

/// What a `database` endpoint's config says, checked and compiled, before its collection is opened.
struct CollectionSpec: Sendable {
    let name: String
    /// Every document body must pass it; `nil` accepts any object.
    let schema: JSONSchema?
    let indexes: [IndexedField]
    /// The largest `limit` a list request may ask for.
    let maxLimit: Int

    /// The page size when a list request gives no `limit`.
    var defaultLimit: Int { min(20, maxLimit) }

    /// The routes a collection at `path` serves for each configured method.
    static func routes(path: PathPattern, methods: [HTTPRequest.Method]) -> [(
        method: HTTPRequest.Method, path: PathPattern, operation: Operation
    )] {
        let item = path.appending(.parameter("id"))
        var routes: [(method: HTTPRequest.Method, path: PathPattern, operation: Operation)] = []
        for method in methods {
            switch method {
            case .get:
                routes.append((method, path, .list))
                routes.append((method, item, .read))
            case .post: routes.append((method, path, .create))
            case .put: routes.append((method, item, .replace))
            case .patch: routes.append((method, item, .patch))
            case .delete: routes.append((method, item, .delete))
            default: break
            }
        }
        return routes
    }

    enum Operation: Sendable { case list, read, create, replace, patch, delete }

    static let methods: [HTTPRequest.Method] = [.get, .post, .put, .patch, .delete]
}

/// A `database` endpoint: CRUD over one document collection, validated by a JSON Schema.
///
/// `GET /todos` lists, `POST /todos` creates (201 with `Location`), and `GET`, `PUT`, `PATCH`,
/// `DELETE /todos/{id}` read, replace, patch and delete one document. Reads carry
/// `ETag: "<version>"`; writes honour `If-Match`. Every write is validated before it is made,
/// and changes an existing document in one atomic ``DocumentCollection/update(_:expectedVersion:_:)``,
/// so a rejected request leaves the collection as it was.
struct CollectionEndpoint: Sendable {
    let path: PathPattern
    let methods: [HTTPRequest.Method]
    let spec: CollectionSpec
    let collection: any DocumentCollection

    func routes() -> [Route] {
        CollectionSpec.routes(path: path, methods: methods).map { method, path, operation in
            let endpoint = self
            let handler: RouteHandler =
                switch operation {
                case .list: { request, context in try await endpoint.list(request, context: context) }
                case .read: { request, context in try await endpoint.read(request, context: context) }
                case .create: { request, context in try await endpoint.create(request, context: context) }
                case .replace: { request, context in try await endpoint.replace(request, context: context) }
                case .patch: { request, context in try await endpoint.patch(request, context: context) }
                case .delete: { request, context in try await endpoint.delete(request, context: context) }
                }
            return Route(method, path.description, handler: handler)
        }
    }

    /// The document id in the request's path, percent-decoded.
    func documentID(_ context: TrellisRequestContext) -> String {
        let raw = context.parameters.get("id") ?? ""
        // Foundation's decoding takes 0.6 µs even when there is nothing to decode.
        guard raw.utf8.contains(UInt8(ascii: "%")) else { return raw }
        return raw.removingPercentEncoding ?? raw
    }

    /// The schema's errors for a document body; none when the collection has no schema.
    func validate(_ body: JSONObject) -> [ValidationError] {
        spec.schema?.validate(.object(body)).errors ?? []
    }

    /// A document as a response, with its `ETag`.
    func response(_ document: Document, status: HTTPResponse.Status = .ok, location: Bool = false) -> Response {
        var headers: HTTPFields = [.eTag: EntityTags.tag(version: document.version)]
        if location {
            let id = document.id.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? document.id
            headers[.location] = "\(path)/\(id)"
        }
        headers[.contentType] = "application/json"
        let body = DocumentRepresentation.serializedBytes(document)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }

    func notFound(_ id: String) -> Problem {
        Problem(.notFound, detail: StorageError.notFound(collection: spec.name, id: id).description)
    }

    /// Runs a storage call, turning its errors into problems.
    func storage<Value>(_ operation: () async throws -> Value) async throws -> Value {
        do {
            return try await operation()
        } catch let error as StorageError {
            throw Self.problem(for: error)
        }
    }

    static func problem(for error: StorageError) -> Problem {
        switch error {
        case .notFound: Problem(.notFound, detail: error.description)
        case .versionMismatch: Problem(.preconditionFailed, detail: error.description)
        case .duplicateID: Problem(.conflict, detail: error.description)
        case .unknownField, .invalidCursor: Problem(.badRequest, detail: error.description)
        case .migrationFailed, .invalidName:
            Problem(.internalServerError, detail: "the collection could not be used: \(error.description)")
        }
    }
}
