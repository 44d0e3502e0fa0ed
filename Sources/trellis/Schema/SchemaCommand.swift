import ArgumentParser

/// `trellis schema`: the JSON Schema tools.
struct SchemaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Work with JSON Schemas (draft 2020-12, 2019-09 and draft-07).",
        subcommands: [SchemaValidateCommand.self]
    )
}
