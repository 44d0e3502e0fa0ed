import ArgumentParser
import TrellisJSON

/// `trellis json patch`: applies an RFC 6902 JSON Patch to a document.
struct JSONPatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "patch",
        abstract: "Apply a JSON Patch (RFC 6902) to a JSON document.",
        discussion: """
            Prints the patched document, pretty-printed. The patch is an array of \
            operations (add, remove, replace, move, copy, test) applied in order and \
            atomically: when one fails, nothing is printed, the failing operation's index \
            (counted from 0), op and path are reported on standard error, and the exit \
            status is 2.
            """
    )

    @Option(
        name: .customLong("patch"),
        help: ArgumentHelp("The JSON Patch file: an array of operations.", valueName: "file"),
        completion: .file(extensions: ["json"])
    )
    var patchPath: String

    @Argument(help: ArgumentHelp("The JSON document to patch.", valueName: "document"), completion: .file(extensions: ["json"]))
    var documentPath: String

    func run() async throws {
        let patchDocument = try JSONFile.read(patchPath, role: "patch")
        let document = try JSONFile.read(documentPath, role: "document")
        let patch: JSONPatch
        do {
            patch = try JSONPatch(patchDocument)
        } catch {
            throw InputError("'\(patchPath)' is not a valid JSON Patch: \(error)")
        }
        do {
            print(try patch.apply(to: document).serialized(.pretty))
        } catch {
            throw InputError("cannot apply '\(patchPath)' to '\(documentPath)': \(error)")
        }
    }
}
