import ArgumentParser
import Foundation
import TrellisJSON

/// `trellis schema validate`: checks JSON files against a JSON Schema.
struct SchemaValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Validate JSON files against a JSON Schema.",
        discussion: """
            Prints one line per instance, 'FILE: valid' or 'FILE: invalid', and under an \
            invalid one a line per error: where in the instance, what is wrong, and (at …) \
            the schema keyword that failed. With --json, prints one JSON object per \
            instance per line instead: {"file", "valid", "errors": [{"instanceLocation", \
            "keywordLocation", "message"}]}.

            The schema is draft 2020-12 unless its $schema names 2019-09 or draft-07, and \
            is checked against its meta-schema first. A relative $ref is resolved against \
            the schema file's own location, so sibling files are found; other URIs are \
            mapped to folders with --ref-dir. Nothing is fetched from the network.

            An instance that cannot be read or is not JSON is reported on standard error \
            and skipped; the others are still validated.

            Exits 0 when every instance is valid, 1 when any is invalid, and 2 when the \
            schema, an instance or an option cannot be used.
            """
    )

    @Option(
        name: .customLong("schema"),
        help: ArgumentHelp("The JSON Schema file to validate against.", valueName: "file"),
        completion: .file(extensions: ["json"])
    )
    var schemaPath: String

    @Option(
        name: .customLong("ref-dir"),
        help: ArgumentHelp(
            "Read schemas whose URI starts with BASE_URI from files under DIR (repeatable).",
            discussion: "For example --ref-dir https://example.com/schemas/=./schemas reads "
                + "https://example.com/schemas/address.json from ./schemas/address.json.",
            valueName: "base-uri=dir"
        ),
        transform: { argument in try ReferenceDirectory(argument: argument) }
    )
    var referenceDirectories: [ReferenceDirectory] = []

    @Flag(help: "Treat 'format' as an assertion, so \"nope\" fails {\"format\": \"email\"}; by default it is only an annotation.")
    var formatAssertion = false

    @Flag(help: "Print one JSON object per instance per line instead of text.")
    var json = false

    @Argument(
        help: ArgumentHelp("The JSON files to validate.", valueName: "instance"),
        completion: .file(extensions: ["json"])
    )
    var instancePaths: [String]

    func run() async throws {
        let schema = try compileSchema()
        var status = ExitCode.success
        for path in instancePaths {
            let instance: JSONValue
            do {
                instance = try JSONFile.read(path, role: "instance")
            } catch {
                error.report()
                status = .unusableInput
                continue
            }
            let report = ValidationReport(file: path, result: schema.validate(instance))
            print(json ? report.json.serialized() : report.text)
            if !report.result.isValid, status == .success {
                status = .invalidInstance
            }
        }
        if status != .success { throw status }
    }

    /// Reads and compiles the schema; its own directory is mapped to its `file:` URI so
    /// that relative `$ref`s find sibling files.
    private func compileSchema() throws(InputError) -> JSONSchema {
        let document = try JSONFile.read(schemaPath, role: "schema")
        let fileURL = URL(fileURLWithPath: schemaPath).standardizedFileURL
        var registry = SchemaRegistry()
        // The registry looks in directories in the order they were added: explicit mappings win.
        for mapping in referenceDirectories {
            try mapping.checkDirectoryExists()
            registry.addDirectory(mapping.directory, baseURI: mapping.baseURI)
        }
        let schemaDirectory = fileURL.deletingLastPathComponent()
        registry.addDirectory(schemaDirectory.path, baseURI: schemaDirectory.absoluteString)
        let options = JSONSchema.Options(formatAssertion: formatAssertion, baseURI: fileURL.absoluteString)
        do {
            return try JSONSchema(document, registry: registry, options: options)
        } catch {
            // Name the place in the schema that failed, unless the message or its list of errors already does.
            let namesPlace = !error.errors.isEmpty || error.message.contains(error.location)
            let location = namesPlace ? "" : " (at \(error.location))"
            let hint =
                error.code == .unresolvableReference
                ? "; to read remote schemas from files, map their base URI with --ref-dir BASE_URI=DIR" : ""
            throw InputError("cannot compile schema '\(schemaPath)': \(error)\(location)\(hint)")
        }
    }
}
