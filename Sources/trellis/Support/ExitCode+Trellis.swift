import ArgumentParser

/// The exit statuses `trellis` documents in its help; 0 is `ExitCode.success`.
extension ExitCode {
    /// `schema validate` found at least one invalid instance.
    static let invalidInstance = ExitCode(1)
    /// The input cannot be used (see ``InputError``), or the command line is wrong.
    static let unusableInput = ExitCode(2)
}
