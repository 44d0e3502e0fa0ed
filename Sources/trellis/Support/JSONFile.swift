import Foundation
import TrellisJSON

/// Reads the JSON files a command is given; every failure becomes an ``InputError``
/// that names the file, and for text that is not JSON, the line and column.
enum JSONFile {
    /// Reads and parses the file at `path`.
    ///
    /// - Parameter role: what the file is to the command (`schema`, `instance`, `patch`), for messages.
    static func read(_ path: String, role: String) throws(InputError) -> JSONValue {
        let bytes = try contents(of: path, role: role)
        do {
            return try JSONValue(parsing: bytes)
        } catch {
            throw InputError("\(path):\(error.line):\(error.column): the \(role) file is not valid JSON: \(error.reason)")
        }
    }

    private static func contents(of path: String, role: String) throws(InputError) -> Data {
        let files = FileManager.default
        var isDirectory: ObjCBool = false
        guard files.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw InputError("cannot read \(role) file '\(path)': no such file")
        }
        guard !isDirectory.boolValue else {
            throw InputError("cannot read \(role) file '\(path)': it is a directory")
        }
        guard let data = files.contents(atPath: path) else {
            let reason = files.isReadableFile(atPath: path) ? "reading failed" : "permission denied"
            throw InputError("cannot read \(role) file '\(path)': \(reason)")
        }
        return data
    }
}
