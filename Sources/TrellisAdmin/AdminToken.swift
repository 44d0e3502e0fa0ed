internal import Foundation

#if canImport(Glibc)
    internal import Glibc
#elseif canImport(Darwin)
    internal import Darwin
#endif

/// The bearer token of the admin routes, and where it came from.
///
/// Resolution: the `token` config (usually `TRELLIS_ADMIN_TOKEN`) → the `admin-token` file in
/// the data dir → a new token (32 bytes from `SystemRandomNumberGenerator`, which reads the
/// kernel's CSPRNG, base64url), written to that file with mode 0600 before it is used.
struct AdminToken: Sendable, Equatable {
    enum Source: Sendable, Equatable {
        /// Set in the configuration (`TRELLIS_ADMIN_TOKEN` or `systems.admin.config.token`).
        case configured
        /// Read from the token file a previous start wrote.
        case stored(path: String)
        /// Generated now and written to the token file.
        case generated(path: String)
    }

    static let fileName = "admin-token"

    let value: String
    let source: Source

    /// What the `trellis serve` banner says about the token: the token itself only when it was
    /// just generated, since nobody could know it otherwise; where it is kept afterwards.
    var notice: String {
        switch source {
        case .configured: "token from the configuration (TRELLIS_ADMIN_TOKEN)"
        case .stored(let path): "token in \(path)"
        case .generated(let path): "token \(value) (new: saved to \(path), mode 0600; shown only this once)"
        }
    }

    /// Finds the token, generating and storing one if there is none.
    ///
    /// - Returns: the token, and warnings to log (a token file others could read is tightened to 0600).
    /// - Throws: ``AdminTokenError`` saying what to fix.
    static func resolve(configured: String?, dataDirectory: URL?) throws(AdminTokenError) -> (token: AdminToken, warnings: [String]) {
        if let configured { return (AdminToken(value: configured, source: .configured), []) }
        guard let dataDirectory else {
            throw AdminTokenError(
                message: "the admin system has no token: set TRELLIS_ADMIN_TOKEN, or give it a data dir to keep a generated one in")
        }
        let path = dataDirectory.appendingPathComponent(fileName).path
        if let stored = try read(path) { return (AdminToken(value: stored.value, source: .stored(path: path)), stored.warnings) }
        let token = generate()
        do {
            try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        } catch {
            throw AdminTokenError(
                message: "cannot create the data dir \(dataDirectory.path) for the admin token: \(error.localizedDescription)")
        }
        guard try create(path, contents: token + "\n") else {
            // Another server on the same data dir wrote it first: use theirs.
            if let stored = try read(path) { return (AdminToken(value: stored.value, source: .stored(path: path)), stored.warnings) }
            throw AdminTokenError(message: "\(path) appeared and vanished while the admin token was being created; start again")
        }
        return (AdminToken(value: token, source: .generated(path: path)), [])
    }

    /// 32 random bytes, base64url without padding (43 characters).
    static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        for _ in 0..<4 {
            withUnsafeBytes(of: generator.next() as UInt64) { bytes.append(contentsOf: $0) }
        }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The token in the file at `path`, or `nil` when there is no file.
    private static func read(_ path: String) throws(AdminTokenError) -> (value: String, warnings: [String])? {
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT { return nil }
            throw AdminTokenError(message: "cannot read the admin token file \(path): \(String(cString: strerror(errno)))")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw AdminTokenError(
                message: "\(path) is not a file; remove it to have a new admin token generated, or set TRELLIS_ADMIN_TOKEN")
        }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw AdminTokenError(message: "cannot read the admin token file \(path): \(error.localizedDescription)")
        }
        let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !value.isEmpty else {
            throw AdminTokenError(
                message: "the admin token file \(path) is empty; delete it to have a new token generated, or set TRELLIS_ADMIN_TOKEN")
        }
        var warnings: [String] = []
        if info.st_mode & 0o077 != 0 {
            let mode = String(info.st_mode & 0o777, radix: 8)
            if chmod(path, 0o600) == 0 {
                warnings.append("the admin token file \(path) was readable by others (mode \(mode)); its mode is now 0600")
            } else {
                warnings.append("the admin token file \(path) is readable by others (mode \(mode)); run chmod 600 on it")
            }
        }
        return (value, warnings)
    }

    /// Creates the file at `path` with mode 0600 (from the start, never wider) and writes
    /// `contents`; `false` when the file already exists.
    private static func create(_ path: String, contents: String) throws(AdminTokenError) -> Bool {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            if errno == EEXIST { return false }
            throw AdminTokenError(message: "cannot create the admin token file \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        let bytes = Array(contents.utf8)
        var written = 0
        while written < bytes.count {
            let result = bytes[written...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            guard result > 0 else {
                if result < 0, errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                unlink(path)
                throw AdminTokenError(message: "cannot write the admin token file \(path): \(reason)")
            }
            written += result
        }
        // On disk before anyone is told the token.
        fsync(descriptor)
        return true
    }
}

/// The admin token cannot be found or stored; the message says what to do.
public struct AdminTokenError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
