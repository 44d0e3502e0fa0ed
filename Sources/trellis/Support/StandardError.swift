import Foundation

/// Standard error as a text stream, so diagnostics can be `print`ed to it.
struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        FileHandle.standardError.write(Data(string.utf8))
    }
}
