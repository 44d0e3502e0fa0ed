internal import Foundation
internal import TrellisJSON
internal import TrellisStorageCapability

/// How a stored document looks on the wire: its body's members framed by the members the
/// server owns, `{"id": …, …body…, "created_at": …, "updated_at": …, "version": …}`.
///
/// The four reserved members are read-only. A request body may repeat them (so a document
/// read with GET can be edited and sent back with PUT) but they are never stored: `id` must
/// equal the document's id (on POST it chooses the new document's id), and `created_at`,
/// `updated_at` and `version` are ignored. A collection's schema may not declare them.
enum DocumentRepresentation {
    static let reservedMembers = ["id", "created_at", "updated_at", "version"]

    static func json(_ document: Document) -> JSONValue {
        var object: JSONObject = ["id": .string(document.id)]
        if case .object(let members) = document.body {
            for (key, value) in members where !reservedMembers.contains(key) { object[key] = value }
        }
        object["created_at"] = .string(timestamp(document.createdAt))
        object["updated_at"] = .string(timestamp(document.updatedAt))
        object["version"] = JSONValue(document.version)
        return .object(object)
    }

    /// The body to store from a request's document, and the `id` it names, if any.
    /// - Returns: `errors` for a body that is not an object or whose `id` is not a string.
    static func storable(_ value: JSONValue) -> (body: JSONObject, id: String?, errors: [ValidationError]) {
        guard case .object(var members) = value else {
            return (
                [:], nil,
                [
                    ValidationError(
                        instanceLocation: .root, keywordLocation: .root, message: "a document must be a JSON object, not \(value.typeName)")
                ]
            )
        }
        var errors: [ValidationError] = []
        var id: String?
        if let given = members["id"] {
            if case .string(let text) = given, isValidID(text) {
                id = text
            } else {
                errors.append(
                    ValidationError(
                        instanceLocation: "/id", keywordLocation: .root,
                        message: "the id must be a string of 1 to 128 letters, digits, '-', '.', '_' or '~'"))
            }
        }
        for member in reservedMembers { members[member] = nil }
        return (members, id, errors)
    }

    static func isValidID(_ id: String) -> Bool {
        guard !id.isEmpty, id.utf8.count <= 128 else { return false }
        return id.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "-._~".unicodeScalars.contains(scalar))
        }
    }

    /// RFC 3339 UTC with milliseconds: `2026-11-21T21:04:46.995Z`.
    static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
