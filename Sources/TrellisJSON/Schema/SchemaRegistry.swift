internal import Foundation

/// Where a schema's remote `$ref`s are looked up; it never touches the network.
///
/// The official meta-schemas of 2020-12, 2019-09 and draft-07 are always present.
///
/// ```swift
/// var registry = SchemaRegistry()
/// registry.add(document: addressSchema, uri: "https://example.com/address.json")
/// registry.addDirectory("schemas/", baseURI: "https://example.com/schemas/")
/// ```
public struct SchemaRegistry: Sendable {
    private var documents: [String: JSONValue] = [:]
    private var directories: [(baseURI: String, path: String)] = []

    public init() {}

    /// Makes `document` available at `uri` (its fragment, if any, is ignored).
    public mutating func add(document: JSONValue, uri: String) {
        documents[URIReference.stripFragment(uri)] = document
    }

    /// Maps every URI that starts with `baseURI` to a file under `path`
    /// (`baseURI` + `a/b.json` → `path/a/b.json`); files are read when first referenced.
    public mutating func addDirectory(_ path: String, baseURI: String) {
        let base = baseURI.hasSuffix("/") ? baseURI : baseURI + "/"
        directories.append((base, path))
    }

    /// The document at `uri`, from memory, a mapped directory or the built-in meta-schemas.
    func document(at uri: String) throws(SchemaCompileError) -> JSONValue? {
        let uri = URIReference.stripFragment(uri)
        if let document = documents[uri] { return document }
        if let builtIn = MetaSchemaCache.document(uri) { return builtIn }
        for (base, path) in directories where uri.hasPrefix(base) {
            let encoded = String(uri.dropFirst(base.count))
            let relative = encoded.removingPercentEncoding ?? encoded
            guard !relative.split(separator: "/").contains("..") else { continue }
            let file = URL(fileURLWithPath: path).appendingPathComponent(String(relative))
            guard let data = FileManager.default.contents(atPath: file.path) else { continue }
            do {
                return try JSONValue(parsing: data)
            } catch {
                throw SchemaCompileError(
                    code: .invalidJSON, location: uri,
                    message: "the schema file \(file.path) is not valid JSON (\(error))")
            }
        }
        return nil
    }
}

/// The built-in meta-schema documents, parsed once per process.
enum MetaSchemaCache {
    private static let parsed: [String: JSONValue] = MetaSchemas.documents.mapValues { text in
        // The generated texts are the official documents; failing to parse one is a build defect.
        do { return try JSONValue(parsing: text) } catch { fatalError("built-in meta-schema does not parse: \(error)") }
    }

    static func document(_ uri: String) -> JSONValue? { parsed[uri] }
}
