import Testing

@Suite("trellis --help and usage errors")
struct HelpAndUsageTests {
    let directory: TemporaryDirectory

    init() throws {
        directory = try TemporaryDirectory()
    }

    @Test(
        "--help of every command prints its usage and abstract to standard output, exit 0",
        arguments: [
            ([], "USAGE: trellis <subcommand>", "Tools for the Trellis backend platform."),
            (["schema"], "USAGE: trellis schema <subcommand>", "Work with JSON Schemas"),
            (["schema", "validate"], "USAGE: trellis schema validate --schema <file>", "Validate JSON files against a JSON Schema."),
            (["json"], "USAGE: trellis json <subcommand>", "Patch, merge and diff JSON documents."),
            (["json", "patch"], "USAGE: trellis json patch --patch <file> <document>", "Apply a JSON Patch (RFC 6902)"),
            (["json", "merge-patch"], "USAGE: trellis json merge-patch --patch <file> <document>", "Apply a JSON Merge Patch (RFC 7396)"),
            (["json", "diff"], "USAGE: trellis json diff <source> <target>", "Print the JSON Patch (RFC 6902) that turns"),
        ])
    func help(command: [String], usage: String, abstract: String) async throws {
        let output = try await TrellisBinary.run(command + ["--help"], in: directory)
        #expect(output.standardOutput.contains(usage))
        #expect(output.standardOutput.hasPrefix("OVERVIEW: \(abstract)"))
        #expect(output.standardError == "")
        #expect(output.status == 0)
    }

    @Test("the root help documents the exit statuses")
    func exitStatusesDocumented() async throws {
        let output = try await TrellisBinary.run(["--help"], in: directory)
        #expect(output.standardOutput.contains("EXIT STATUS"))
        #expect(output.standardOutput.contains("  1  'schema validate' found at least one invalid instance."))
        #expect(output.standardOutput.contains("  2  The input cannot be used: a usage error,"))
    }

    @Test(
        "usage errors exit 2 (not ArgumentParser's 64) and show the usage on standard error",
        arguments: [
            (["schema", "validate", "--schema", "s.json"], "Error: Missing expected argument '<instance> ...'"),
            (["schema", "validate", "x.json"], "Error: Missing expected argument '--schema <file>'"),
            (["json", "diff", "a.json", "b.json", "--colour"], "Error: Unknown option '--colour'"),
            (["json", "unzip"], "Error: Unexpected argument 'unzip'"),
        ])
    func usageError(arguments: [String], message: String) async throws {
        let output = try await TrellisBinary.run(arguments, in: directory)
        #expect(output.standardError.hasPrefix(message))
        #expect(output.standardError.contains("Usage: trellis"))
        #expect(output.standardOutput == "")
        #expect(output.status == 2)
    }
}
