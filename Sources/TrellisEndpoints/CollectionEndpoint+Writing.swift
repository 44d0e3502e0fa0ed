internal import Foundation
internal import HTTPTypes
internal import Hummingbird
internal import TrellisHTTPCapability
internal import TrellisJSON
internal import TrellisStorageCapability

extension CollectionEndpoint {
    static let mergePatchType = "application/merge-patch+json"
    static let jsonPatchType = "application/json-patch+json"
    /// How often a PATCH without `If-Match` re-reads a document that changed under it.
    static let patchAttempts = 3

    /// `POST /todos`: 201 with the new document, its `Location` and `ETag`.
    func create(_ request: Request, context: TrellisRequestContext) async throws -> Response {
        var request = request
        let value = try await request.jsonBody(limit: context.maxUploadSize)
        let (body, id, errors) = DocumentRepresentation.storable(value)
        let all = errors + validate(body)
        guard all.isEmpty else { throw Problem.validation(all, detail: "the document is invalid") }
        let document = try await storage { try await collection.insert(.object(body), id: id) }
        return response(document, status: .created, location: true)
    }

    /// `PUT /todos/{id}`: replaces the body of an existing document.
    func replace(_ request: Request, context: TrellisRequestContext) async throws -> Response {
        let id = documentID(context)
        var request = request
        let value = try await request.jsonBody(limit: context.maxUploadSize)
        let body = try checkedBody(value, id: id)
        let expected = try await expectedVersion(request, id: id)
        let document = try await storage {
            try await collection.update(id, expectedVersion: expected) { _ in .object(body) }
        }
        return response(document)
    }

    /// `PATCH /todos/{id}` with a JSON Merge Patch (RFC 7396) or a JSON Patch (RFC 6902),
    /// applied to the document as GET shows it; the result is validated before it is written.
    func patch(_ request: Request, context: TrellisRequestContext) async throws -> Response {
        let id = documentID(context)
        var request = request
        let value = try await request.jsonBody(limit: context.maxUploadSize, accepted: [Self.mergePatchType, Self.jsonPatchType])
        let isJSONPatch = request.headers[.contentType].map { $0.lowercased().hasPrefix(Self.jsonPatchType) } ?? false
        let operations: JSONPatch?
        if isJSONPatch {
            do {
                operations = try JSONPatch(value)
            } catch {
                throw Problem(.badRequest, detail: "the body is not a JSON Patch: \(error)")
            }
        } else {
            operations = nil
        }
        let condition = EntityTags.condition(.ifMatch, in: request.headers)
        var attempt = 1
        while true {
            guard let current = try await storage({ try await collection.get(id) }) else { throw notFound(id) }
            try check(condition, request: request, current: current)
            do {
                // Pinned to the version read, so the patch applies to exactly what was read.
                let document = try await collection.update(id, expectedVersion: current.version) { body in
                    let shown = Document(
                        id: id, createdAt: current.createdAt, updatedAt: current.updatedAt, version: current.version, body: body)
                    let representation = DocumentRepresentation.json(shown)
                    let patched: JSONValue
                    if let operations {
                        do throws(JSONPatchError) {
                            patched = try operations.apply(to: representation)
                        } catch {
                            throw Problem(
                                .unprocessableContent, detail: "the JSON Patch cannot be applied: \(error)",
                                extensions: ["operation": JSONValue(error.index)])
                        }
                    } else {
                        patched = representation.mergePatched(with: value)
                    }
                    return .object(try checkedBody(patched, id: id))
                }
                return response(document)
            } catch StorageError.versionMismatch where condition == nil && attempt < Self.patchAttempts {
                attempt += 1
            } catch let error as StorageError {
                throw Self.problem(for: error)
            }
        }
    }

    /// `DELETE /todos/{id}`: 204.
    func delete(_ request: Request, context: TrellisRequestContext) async throws -> Response {
        let id = documentID(context)
        let expected = try await expectedVersion(request, id: id)
        let existed = try await storage { try await collection.delete(id, expectedVersion: expected) }
        guard existed else { throw notFound(id) }
        return Response(status: .noContent)
    }

    /// The body to store for document `id` from a request's document.
    /// - Throws: a 422 ``Problem`` listing every error: a body that is not an object, an `id`
    ///   other than the document's, and every schema error.
    func checkedBody(_ value: JSONValue, id: String) throws -> JSONObject {
        var (body, _, errors) = DocumentRepresentation.storable(value)
        if let given = value["id"] {
            errors.removeAll { $0.instanceLocation == "/id" }
            if given != .string(id) {
                errors.append(
                    ValidationError(
                        instanceLocation: "/id", keywordLocation: .root,
                        message: "the id cannot change: it is '\(id)', the one in the path"))
            }
        }
        errors += validate(body)
        guard errors.isEmpty else { throw Problem.validation(errors, detail: "the document is invalid") }
        return body
    }

    /// The version a write must find, from `If-Match`: `nil` when the request has none (or `*`).
    /// - Throws: 404 for an unknown document, 412 when the current version does not match.
    func expectedVersion(_ request: Request, id: String) async throws -> Int? {
        guard let condition = EntityTags.condition(.ifMatch, in: request.headers) else { return nil }
        guard let current = try await storage({ try await collection.get(id) }) else { throw notFound(id) }
        try check(condition, request: request, current: current)
        return condition == .any ? nil : current.version
    }

    private func check(_ condition: EntityTags.Condition?, request: Request, current: Document) throws {
        guard let condition, !condition.matches(version: current.version) else { return }
        throw Problem(
            .preconditionFailed,
            detail:
                "document '\(current.id)' in \(spec.name) is at version \(current.version), which does not match If-Match: \(EntityTags.text(.ifMatch, in: request.headers))"
        )
    }
}
