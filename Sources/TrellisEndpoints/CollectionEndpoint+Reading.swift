internal import Foundation
internal import HTTPTypes
internal import Hummingbird
internal import HummingbirdCore
internal import TrellisHTTPCapability
internal import TrellisJSON
internal import TrellisStorageCapability

extension CollectionEndpoint {
    /// Fields a list can be sorted by besides the indexed ones.
    static let builtInSortFields = ["id", "created_at", "updated_at"]

    /// `GET /todos?limit=&cursor=&sort=&field=value`: one page, as `{"items": […], "next_cursor": …}`.
    func list(_ request: Request, context: TrellisRequestContext) async throws -> Response {
        let query = try listQuery(request.uri)
        let page = try await storage { try await collection.query(query) }
        let body: JSONValue = [
            "items": .array(page.documents.map(DocumentRepresentation.json)),
            "next_cursor": page.nextCursor.map(JSONValue.string) ?? .null,
        ]
        return Response.json(body)
    }

    /// `GET /todos/{id}`; `If-None-Match` with the current tag gives a 304.
    func read(_ request: Request, context: TrellisRequestContext) async throws -> Response {
        let id = documentID(context)
        guard let document = try await storage({ try await collection.get(id) }) else { throw notFound(id) }
        if let condition = EntityTags.condition(.ifNoneMatch, in: request.headers), condition.matches(version: document.version) {
            return Response(status: .notModified, headers: [.eTag: EntityTags.tag(version: document.version)])
        }
        return response(document)
    }

    /// Reads `limit`, `cursor`, `sort` and equality filters on indexed fields from the query string.
    /// - Throws: a 400 ``Problem`` naming the parameter that is wrong and what it may be.
    func listQuery(_ uri: URI) throws -> DocumentQuery {
        var query = DocumentQuery(limit: spec.defaultLimit)
        var seen: Set<String> = []
        for (rawName, rawValue) in uri.queryParameters {
            let name = String(rawName).removingPercentEncoding ?? String(rawName)
            let value = String(rawValue)
            guard seen.insert(name).inserted else {
                throw Problem(.badRequest, detail: "the query parameter '\(name)' is given more than once")
            }
            switch name {
            case "limit":
                guard let limit = Int(value), (1...spec.maxLimit).contains(limit) else {
                    throw Problem(.badRequest, detail: "limit must be an integer from 1 to \(spec.maxLimit), not '\(value)'")
                }
                query.limit = limit
            case "cursor":
                query.cursor = value
            case "sort":
                let descending = value.hasPrefix("-")
                let field = descending ? String(value.dropFirst()) : value
                let sortable = Self.builtInSortFields + spec.indexes.map(\.name)
                guard sortable.contains(field) else {
                    throw Problem(
                        .badRequest,
                        detail:
                            "cannot sort by '\(field)': sort by \(sortable.joined(separator: ", ")), with a leading '-' for descending order"
                    )
                }
                query.sortField = field
                query.descending = descending
            default:
                guard let index = spec.indexes.first(where: { $0.name == name }) else {
                    let indexed = spec.indexes.isEmpty ? "none" : spec.indexes.map(\.name).joined(separator: ", ")
                    throw Problem(
                        .badRequest,
                        detail:
                            "unknown query parameter '\(name)': besides limit, cursor and sort, only indexed fields filter the list; indexed fields of \(spec.name): \(indexed)"
                    )
                }
                query.filters.append(DocumentQuery.Filter(name, .equal, try Self.filterValue(value, for: index)))
            }
        }
        return query
    }

    /// A query-string value as the JSON value its indexed field holds.
    static func filterValue(_ text: String, for index: IndexedField) throws -> JSONValue {
        switch index.kind {
        case .text:
            return .string(text)
        case .integer:
            guard let number = Int(text) else {
                throw Problem(
                    .badRequest, detail: "the filter \(index.name)=\(text) needs an integer, as \(index.name) is an integer field")
            }
            return JSONValue(number)
        case .real:
            guard let number = Double(text), number.isFinite else {
                throw Problem(.badRequest, detail: "the filter \(index.name)=\(text) needs a number, as \(index.name) is a number field")
            }
            return JSONValue(number)
        }
    }
}
