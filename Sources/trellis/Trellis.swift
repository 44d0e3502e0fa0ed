import ArgumentParser

/// The `trellis` command: the root that every tool of the platform hangs under.
///
/// It replaces ArgumentParser's `main()` so that every failure ends with one of three
/// documented exit statuses, whatever part of the parser or of a command produced it.
@main
struct Trellis: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trellis",
        abstract: "Tools for the Trellis backend platform.",
        discussion: """
            Validate JSON documents against a JSON Schema, and patch, merge and diff \
            JSON documents. Results go to standard output; diagnostics go to standard \
            error, naming the file or option to fix.

            EXIT STATUS
              0  Success; for 'schema validate', every instance is valid.
              1  'schema validate' found at least one invalid instance.
              2  The input cannot be used: a usage error, an unreadable or non-JSON file,
                 a schema that does not compile, a patch that does not apply.
            """,
        subcommands: [ServeCommand.self, CheckCommand.self, SystemsCommand.self, SchemaCommand.self, JSONCommand.self]
    )

    static func main() async {
        do {
            var command = try await asyncParseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as InputError {
            error.report()
            exit(withError: ExitCode.unusableInput)
        } catch let error where error is ExitCode || exitCode(for: error) == .success {
            // Help, and the status a command chose (1 for invalid instances).
            exit(withError: error)
        } catch {
            // A usage error (which ArgumentParser would end with 64) or an unexpected error.
            var standardError = StandardError()
            print(fullMessage(for: error), to: &standardError)
            exit(withError: ExitCode.unusableInput)
        }
    }
}
