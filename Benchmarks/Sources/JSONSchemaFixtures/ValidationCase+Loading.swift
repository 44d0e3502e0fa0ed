internal import Foundation
import TrellisJSON

/// Why the benchmark fixtures could not be loaded; the message names the file.
public struct FixtureError: Error, CustomStringConvertible {
    public let description: String
}

extension ValidationCase {
    /// `Benchmarks/Fixtures/json-schema`, found from this source file so that it works from any directory.
    public static let fixturesDirectory: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }  // JSONSchemaFixtures, Sources, Benchmarks
        return url.appendingPathComponent("Fixtures/json-schema").path
    }()

    /// Loads, compiles and checks every case in `cases.json`.
    ///
    /// - Throws: ``FixtureError`` when a file is missing or malformed, a schema does not compile,
    ///   or a document's validity is not what `cases.json` says.
    public static func all(in directory: String = fixturesDirectory) throws -> [ValidationCase] {
        let manifest = try readJSON("cases.json", in: directory)
        guard case .array(let entries)? = manifest["cases"] else {
            throw FixtureError(description: "\(directory)/cases.json: expected a \"cases\" array")
        }
        var schemas: [String: (JSONValue, JSONSchema)] = [:]
        return try entries.map { entry in
            guard let name = entry["name"]?.stringValue, let schemaFile = entry["schema"]?.stringValue,
                let documentFile = entry["document"]?.stringValue,
                let method = entry["method"]?.stringValue.flatMap(Method.init(rawValue:)),
                let expectedValid = entry["valid"]?.boolValue
            else {
                let fields = "name, schema, document, method (isValid or validate) and valid"
                throw FixtureError(description: "\(directory)/cases.json: a case needs \(fields): \(entry)")
            }
            if schemas[schemaFile] == nil {
                let schemaDocument = try readJSON(schemaFile, in: directory)
                do {
                    schemas[schemaFile] = (schemaDocument, try JSONSchema(schemaDocument))
                } catch {
                    throw FixtureError(description: "\(directory)/\(schemaFile): does not compile: \(error)")
                }
            }
            let (schemaDocument, schema) = schemas[schemaFile]!
            let validationCase = ValidationCase(
                name: name, method: method, schemaFile: schemaFile, schemaDocument: schemaDocument, schema: schema,
                document: try readJSON(documentFile, in: directory), expectedValid: expectedValid)
            let errors = schema.validate(validationCase.document).errors
            guard errors.isEmpty == expectedValid, schema.isValid(validationCase.document) == expectedValid else {
                let expectation = expectedValid ? "valid" : "invalid"
                throw FixtureError(description: "\(name): expected \(documentFile) to be \(expectation) against \(schemaFile): \(errors)")
            }
            return validationCase
        }
    }

    private static func readJSON(_ file: String, in directory: String) throws -> JSONValue {
        let path = "\(directory)/\(file)"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FixtureError(description: "\(path): cannot be read")
        }
        do {
            return try JSONValue(parsing: data)
        } catch {
            throw FixtureError(description: "\(path): \(error)")
        }
    }
}
