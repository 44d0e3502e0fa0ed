internal import Foundation

#if canImport(Glibc)
    internal import Glibc
#elseif canImport(Darwin)
    internal import Darwin
#endif

/// The `format` values Trellis can assert (when asked to; by default `format` only annotates).
enum Format: String, Sendable, CaseIterable {
    case dateTime = "date-time"
    case date
    case time
    case duration
    case email
    case hostname
    case ipv4
    case ipv6
    case uri
    case uriReference = "uri-reference"
    case uuid
    case regex
    case jsonPointer = "json-pointer"

    /// Whether `string` is valid for this format. Non-strings always pass, as the spec says.
    func accepts(_ string: String) -> Bool {
        switch self {
        case .dateTime: Self.isDateTime(string)
        case .date: Self.isDate(Substring(string))
        case .time: Self.isTime(Substring(string))
        case .duration: Self.isDuration(string)
        case .email: Self.isEmail(string)
        case .hostname: Self.isHostname(string)
        case .ipv4: Self.isIPv4(string)
        case .ipv6: Self.isIPv6(string)
        case .uri: Self.isURI(string, requireScheme: true)
        case .uriReference: Self.isURI(string, requireScheme: false)
        case .uuid: Self.isUUID(string)
        case .regex: Pattern(string) != nil
        case .jsonPointer: (try? JSONPointer(string)) != nil
        }
    }

    private static func digits(_ text: Substring, _ count: Int) -> Int? {
        guard text.count == count, text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(text)
    }

    /// RFC 3339 `full-date`, with the real number of days in each month.
    static func isDate(_ text: Substring) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, let year = digits(parts[0], 4), let month = digits(parts[1], 2),
            let day = digits(parts[2], 2), (1...12).contains(month), day >= 1
        else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return day <= days[month - 1]
    }

    /// RFC 3339 `full-time`: `hh:mm:ss[.frac](Z|±hh:mm)`; a leap second only at 23:59:60 UTC.
    static func isTime(_ text: Substring) -> Bool {
        let upper = text.uppercased()
        var body = Substring(upper)
        var offsetMinutes = 0
        if body.hasSuffix("Z") {
            body = body.dropLast()
        } else if let sign = body.lastIndex(where: { $0 == "+" || $0 == "-" }) {
            let offset = body[body.index(after: sign)...].split(separator: ":", omittingEmptySubsequences: false)
            guard offset.count == 2, let hours = digits(offset[0], 2), let minutes = digits(offset[1], 2),
                hours <= 23, minutes <= 59
            else { return false }
            offsetMinutes = (hours * 60 + minutes) * (body[sign] == "+" ? 1 : -1)
            body = body[..<sign]
        } else {
            return false
        }
        if let dot = body.firstIndex(of: ".") {
            let fraction = body[body.index(after: dot)...]
            guard !fraction.isEmpty, fraction.allSatisfy({ $0.isASCII && $0.isNumber }) else { return false }
            body = body[..<dot]
        }
        let fields = body.split(separator: ":", omittingEmptySubsequences: false)
        guard fields.count == 3, let hour = digits(fields[0], 2), let minute = digits(fields[1], 2),
            let second = digits(fields[2], 2), hour <= 23, minute <= 59, second <= 60
        else { return false }
        if second == 60 {
            let utc = ((hour * 60 + minute - offsetMinutes) % 1440 + 1440) % 1440
            return utc == 23 * 60 + 59
        }
        return true
    }

    static func isDateTime(_ text: String) -> Bool {
        guard let separator = text.firstIndex(where: { $0 == "T" || $0 == "t" || $0 == " " }) else { return false }
        return isDate(text[..<separator]) && isTime(text[text.index(after: separator)...])
    }

    /// ISO 8601 durations as RFC 3339 Appendix A writes them: `P1Y2M`, `PT1H30M`, `P2W`.
    static func isDuration(_ text: String) -> Bool {
        guard text.hasPrefix("P"), text.count > 1 else { return false }
        var rest = Substring(text.dropFirst())
        if rest.hasSuffix("W") {
            let number = rest.dropLast()
            return !number.isEmpty && number.allSatisfy { $0.isASCII && $0.isNumber }
        }
        func units(_ part: Substring, order: [Character]) -> Bool {
            var remaining = order[...]
            var digitsSeen = false
            var any = false
            for character in part {
                if character.isASCII, character.isNumber {
                    digitsSeen = true
                    continue
                }
                guard digitsSeen, let position = remaining.firstIndex(of: character) else { return false }
                remaining = remaining[(position + 1)...]
                digitsSeen = false
                any = true
            }
            return any && !digitsSeen
        }
        var timePart: Substring?
        if let t = rest.firstIndex(of: "T") {
            timePart = rest[rest.index(after: t)...]
            rest = rest[..<t]
        }
        if !rest.isEmpty, !units(rest, order: ["Y", "M", "D"]) { return false }
        if let timePart, !units(timePart, order: ["H", "M", "S"]) { return false }
        return !rest.isEmpty || timePart != nil
    }

    static func isEmail(_ text: String) -> Bool {
        guard let at = text.lastIndex(of: "@") else { return false }
        let local = text[..<at]
        let domain = text[text.index(after: at)...]
        guard !local.isEmpty, local.count <= 64, !local.hasPrefix("."), !local.hasSuffix("."),
            !local.contains(".."), !local.contains(where: { $0.isWhitespace || $0 == "@" })
        else { return false }
        if domain.hasPrefix("["), domain.hasSuffix("]") {
            let literal = domain.dropFirst().dropLast()
            return literal.hasPrefix("IPv6:") ? isIPv6(String(literal.dropFirst(5))) : isIPv4(String(literal))
        }
        return isHostname(String(domain))
    }

    static func isHostname(_ text: String) -> Bool {
        let name = text.hasSuffix(".") ? String(text.dropLast()) : text
        guard !name.isEmpty, name.utf8.count <= 253 else { return false }
        return name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            !label.isEmpty && label.utf8.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }

    static func isIPv4(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4
            && parts.allSatisfy { part in
                guard !part.isEmpty, part.count <= 3, part.allSatisfy({ $0.isASCII && $0.isNumber }),
                    part == "0" || !part.hasPrefix("0"), let value = Int(part)
                else { return false }
                return value <= 255
            }
    }

    static func isIPv6(_ text: String) -> Bool {
        guard !text.contains("%"), text.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else { return false }
        var address = in6_addr()
        return inet_pton(AF_INET6, text, &address) == 1
    }

    static func isUUID(_ text: String) -> Bool {
        let groups = text.split(separator: "-", omittingEmptySubsequences: false)
        // `isHexDigit` alone would also accept fullwidth digits and letters (U+FF10…).
        return groups.map(\.count) == [8, 4, 4, 4, 12] && groups.allSatisfy { $0.allSatisfy { $0.isASCII && $0.isHexDigit } }
    }

    /// RFC 3986 syntax: allowed characters, well-formed percent escapes, and a scheme when required.
    static func isURI(_ text: String, requireScheme: Bool) -> Bool {
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!$&'()*+,;=%")
        let scalars = Array(text.unicodeScalars)
        for (index, scalar) in scalars.enumerated() {
            guard scalar.isASCII, allowed.contains(Character(scalar)) else { return false }
            if scalar == "%" {
                guard index + 2 < scalars.count, Character(scalars[index + 1]).isHexDigit,
                    Character(scalars[index + 2]).isHexDigit
                else { return false }
            }
        }
        guard requireScheme else { return true }
        guard let colon = text.firstIndex(of: ":"), let first = text.first, first.isLetter else { return false }
        return text[..<colon].allSatisfy { $0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == "." }
    }
}
