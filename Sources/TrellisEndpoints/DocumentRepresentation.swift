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

    /// The same bytes as `json(document).serializedBytes()`, without building that object:
    /// the body is serialized once and framed by the server's members.
    static func serializedBytes(_ document: Document) -> [UInt8] {
        // A body that is not an object, or repeats a reserved member (only a system writing to
        // the collection directly can store one), takes the general path.
        guard case .object(let members) = document.body, !members.keys.contains(where: isReserved) else {
            return json(document).serializedBytes()
        }
        let body = document.body.serializedBytes()
        var bytes: [UInt8] = []
        bytes.reserveCapacity(body.count + document.id.utf8.count + 96)
        bytes.append(contentsOf: #"{"id":"#.utf8)
        bytes.append(contentsOf: JSONValue.string(document.id).serializedBytes())
        if body.count > 2 {
            bytes.append(UInt8(ascii: ","))
            bytes.append(contentsOf: body[1..<(body.count - 1)])
        }
        // Timestamps hold only digits, '-', ':', '.', 'T' and 'Z': nothing to escape.
        bytes.append(contentsOf: #","created_at":""#.utf8)
        bytes.append(contentsOf: timestamp(document.createdAt).utf8)
        bytes.append(contentsOf: #"","updated_at":""#.utf8)
        bytes.append(contentsOf: timestamp(document.updatedAt).utf8)
        bytes.append(contentsOf: #"","version":"#.utf8)
        bytes.append(contentsOf: String(document.version).utf8)
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }

    private static func isReserved(_ key: String) -> Bool {
        switch key {
        case "id", "created_at", "updated_at", "version": true
        default: false
        }
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
    ///
    /// Documents' times are whole milliseconds (`Date(timeIntervalSince1970: ms / 1000)`), so
    /// this rounds to the nearest millisecond and writes the digits itself. Foundation's
    /// `ISO8601FormatStyle` truncates instead, and printed about half of all stored times one
    /// millisecond early (`…46.001` as `…46.000Z`), and took 2.5 times as long.
    static func timestamp(_ date: Date) -> String {
        let milliseconds = (date.timeIntervalSince1970 * 1000).rounded()
        // Years 0 to 9999 (four digits); anything else, which no clock gives, as Foundation writes it.
        guard milliseconds >= -62_167_219_200_000, milliseconds < 253_402_300_800_000 else {
            return date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        }
        let (days, millisecondOfDay) = floorDivision(Int64(milliseconds), 86_400_000)
        let (year, month, day) = civilDate(daysSince1970: days)
        let secondOfDay = millisecondOfDay / 1000
        // "YYYY-MM-DDTHH:MM:SS.mmmZ": 24 ASCII bytes, written in place.
        return String(unsafeUninitializedCapacity: 24) { text in
            var end = 0
            func put(_ value: Int64, digits: Int, then separator: Unicode.Scalar) {
                var value = value
                for position in stride(from: end + digits - 1, through: end, by: -1) {
                    text[position] = UInt8(ascii: "0") + UInt8(value % 10)
                    value /= 10
                }
                text[end + digits] = UInt8(ascii: separator)
                end += digits + 1
            }
            put(year, digits: 4, then: "-")
            put(month, digits: 2, then: "-")
            put(day, digits: 2, then: "T")
            put(secondOfDay / 3600, digits: 2, then: ":")
            put(secondOfDay / 60 % 60, digits: 2, then: ":")
            put(secondOfDay % 60, digits: 2, then: ".")
            put(millisecondOfDay % 1000, digits: 3, then: "Z")
            return end
        }
    }

    /// Quotient rounded down and a remainder from 0 to `divisor - 1`, for times before 1970 too.
    private static func floorDivision(_ value: Int64, _ divisor: Int64) -> (Int64, Int64) {
        let remainder = value % divisor
        return remainder < 0 ? (value / divisor - 1, remainder + divisor) : (value / divisor, remainder)
    }

    /// The proleptic Gregorian date of a day count from 1970-01-01 (Howard Hinnant's
    /// `civil_from_days`).
    private static func civilDate(daysSince1970 days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
