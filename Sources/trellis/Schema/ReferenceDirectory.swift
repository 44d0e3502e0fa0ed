import ArgumentParser
import Foundation

/// A `--ref-dir BASE_URI=DIR` mapping: a `$ref` to a URI under `BASE_URI` is read from
/// the matching file under `DIR` (`https://example.com/schemas/a.json` → `DIR/a.json`).
struct ReferenceDirectory: Sendable {
    let baseURI: String
    let directory: String

    /// Parses `BASE_URI=DIR`, split at the first `=`; the base URI must be absolute.
    init(argument: String) throws(ArgumentParser.ValidationError) {
        guard let equals = argument.firstIndex(of: "=") else {
            throw Self.malformed("there is no '='")
        }
        baseURI = String(argument[..<equals])
        directory = String(argument[argument.index(after: equals)...])
        guard Self.hasScheme(baseURI) else {
            throw Self.malformed("the base URI '\(baseURI)' is not absolute (it needs a scheme such as https:)")
        }
        guard !directory.isEmpty else {
            throw Self.malformed("the directory is empty")
        }
    }

    /// Fails unless `directory` exists; checked when the command runs, not while parsing.
    func checkDirectoryExists() throws(InputError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw InputError("--ref-dir \(baseURI)=\(directory): '\(directory)' is not a directory")
        }
    }

    private static func malformed(_ reason: String) -> ArgumentParser.ValidationError {
        ArgumentParser.ValidationError("\(reason); expected BASE_URI=DIR, e.g. https://example.com/schemas/=./schemas")
    }

    /// Whether `uri` starts with an RFC 3986 scheme (`https:`, `urn:`, `file:`).
    private static func hasScheme(_ uri: String) -> Bool {
        guard let colon = uri.firstIndex(of: ":"), let first = uri.first, first.isASCII, first.isLetter else {
            return false
        }
        return uri[..<colon].allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) }
    }
}
