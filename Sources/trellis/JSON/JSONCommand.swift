import ArgumentParser

/// `trellis json`: tools for JSON documents.
struct JSONCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "json",
        abstract: "Patch, merge and diff JSON documents.",
        subcommands: [JSONPatchCommand.self, JSONMergePatchCommand.self, JSONDiffCommand.self]
    )
}
