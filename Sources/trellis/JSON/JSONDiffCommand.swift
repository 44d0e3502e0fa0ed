import ArgumentParser
import TrellisJSON

/// `trellis json diff`: prints the JSON Patch that turns one document into another.
struct JSONDiffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Print the JSON Patch (RFC 6902) that turns one JSON document into another.",
        discussion: """
            Prints a pretty-printed array of operations; it is [] when the documents are \
            equal. 'trellis json patch --patch DIFF.json SOURCE.json' gives back TARGET.
            """
    )

    @Argument(help: ArgumentHelp("The document to start from.", valueName: "source"), completion: .file(extensions: ["json"]))
    var sourcePath: String

    @Argument(help: ArgumentHelp("The document to end with.", valueName: "target"), completion: .file(extensions: ["json"]))
    var targetPath: String

    func run() async throws {
        let source = try JSONFile.read(sourcePath, role: "source")
        let target = try JSONFile.read(targetPath, role: "target")
        print(JSONPatch.diff(from: source, to: target).jsonValue.serialized(.pretty))
    }
}
