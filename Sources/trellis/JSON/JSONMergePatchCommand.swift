import ArgumentParser
import TrellisJSON

/// `trellis json merge-patch`: applies an RFC 7396 JSON Merge Patch to a document.
struct JSONMergePatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge-patch",
        abstract: "Apply a JSON Merge Patch (RFC 7396) to a JSON document.",
        discussion: """
            Prints the merged document, pretty-printed. Objects in the patch merge member \
            by member, a null member removes that member, and any other value (arrays \
            included) replaces what was there.
            """
    )

    @Option(
        name: .customLong("patch"),
        help: ArgumentHelp("The JSON Merge Patch file.", valueName: "file"),
        completion: .file(extensions: ["json"])
    )
    var patchPath: String

    @Argument(help: ArgumentHelp("The JSON document to merge into.", valueName: "document"), completion: .file(extensions: ["json"]))
    var documentPath: String

    func run() async throws {
        let patch = try JSONFile.read(patchPath, role: "patch")
        let document = try JSONFile.read(documentPath, role: "document")
        print(document.mergePatched(with: patch).serialized(.pretty))
    }
}
