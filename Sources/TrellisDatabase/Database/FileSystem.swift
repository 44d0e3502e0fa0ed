internal import Foundation

#if canImport(Glibc)
    internal import Glibc
#elseif canImport(Darwin)
    internal import Darwin
#endif

/// The few file-system steps opening a database needs, with reasons people can act on.
enum FileSystem {
    static func currentDirectory() -> String {
        FileManager.default.currentDirectoryPath
    }

    /// Creates `directory` and its missing parents.
    ///
    /// - Returns: why it failed (`/srv/data is a file, not a directory`), or `nil` on success.
    static func createDirectories(_ directory: String) -> String? {
        var current = ""
        for component in directory.split(separator: "/") {
            current += "/" + component
            var status = stat()
            if stat(current, &status) == 0 {
                if status.st_mode & S_IFMT != S_IFDIR { return "\(current) is a file, not a directory" }
                continue
            }
            // Another process may create it between the two calls; that is fine.
            if mkdir(current, 0o755) != 0 && errno != EEXIST {
                return "cannot create the directory \(current): \(String(cString: strerror(errno)))"
            }
        }
        return nil
    }

    /// Why the process cannot create files in `directory`, or `nil` when it can.
    static func writeProblem(_ directory: String) -> String? {
        access(directory, W_OK) == 0 ? nil : "the directory \(directory) is not writable: \(String(cString: strerror(errno)))"
    }
}
