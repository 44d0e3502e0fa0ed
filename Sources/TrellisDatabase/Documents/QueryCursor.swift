internal import Foundation
internal import GRDB
internal import TrellisJSON
internal import TrellisStorageCapability

/// Where a page ended: the last document's sort value and id, for the sort it was made for.
/// Clients see it as opaque base64url text of a small JSON object.
struct QueryCursor: Equatable {
    let collection: String
    let sortKey: String
    let descending: Bool
    /// The sort column's value in the last document (`nil` when sorting by id).
    let value: DatabaseValue?
    let id: String

    init(collection: String, sortKey: String, descending: Bool, value: DatabaseValue?, id: String) {
        self.collection = collection
        self.sortKey = sortKey
        self.descending = descending
        self.value = value
        self.id = id
    }

    func encoded() -> String {
        var object: JSONObject = ["c": .string(collection), "s": .string(sortKey), "d": .bool(descending), "id": .string(id)]
        if let value { object["v"] = Self.json(value) }
        return Data(JSONValue.object(object).serialized().utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// - Throws: ``StorageError/invalidCursor(_:)`` for text no page of this collection produced.
    init(decoding text: String) throws(StorageError) {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let json = try? JSONValue(parsing: data),
            case .string(let collection)? = json["c"], case .string(let sortKey)? = json["s"],
            case .bool(let descending)? = json["d"], case .string(let id)? = json["id"]
        else { throw .invalidCursor(text) }
        let value: DatabaseValue?
        if let encoded = json["v"] {
            guard let decoded = Self.databaseValue(encoded) else { throw .invalidCursor(text) }
            value = decoded
        } else {
            value = nil
        }
        self.init(collection: collection, sortKey: sortKey, descending: descending, value: value, id: id)
    }

    /// A column value with its SQLite type kept: `{"i": 3}`, `{"r": 2.5}`, `{"t": "x"}`, `null`.
    private static func json(_ value: DatabaseValue) -> JSONValue {
        switch value.storage {
        case .null: .null
        case .int64(let integer): ["i": .number(.integer(integer))]
        case .double(let double): ["r": .number(.double(double))]
        case .string(let string): ["t": .string(string)]
        // json_extract never yields a blob; kept for completeness.
        case .blob(let data): ["b": .string(data.base64EncodedString())]
        }
    }

    private static func databaseValue(_ json: JSONValue) -> DatabaseValue? {
        switch json {
        case .null: return .null
        case .object(let object) where object.count == 1:
            switch (object.keys[0], object.values[0]) {
            case ("i", .number(let number)): return number.int64Value.map { $0.databaseValue }
            case ("r", .number(let number)): return number.doubleValue.databaseValue
            case ("t", .string(let string)): return string.databaseValue
            case ("b", .string(let string)): return Data(base64Encoded: string)?.databaseValue
            default: return nil
            }
        default: return nil
        }
    }
}
