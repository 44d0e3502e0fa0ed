/// Input a command cannot use: a file that cannot be read or is not JSON, a schema that
/// does not compile, a patch that does not apply. The command stops with exit status 2.
///
/// The message names the file or option at fault and says what is wrong with it, so it
/// reads well after `error: ` (`cannot read schema file 'x.json': no such file`).
struct InputError: Error, CustomStringConvertible {
    let message: String

    init(_ message: String) {
        self.message = message
    }

    var description: String { message }

    /// Writes `error: MESSAGE` to standard error.
    func report() {
        var standardError = StandardError()
        print("error: \(message)", to: &standardError)
    }
}
