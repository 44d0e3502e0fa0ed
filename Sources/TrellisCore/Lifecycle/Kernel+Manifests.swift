extension Kernel {
    /// The manifest of a system in the plan, for reports (the admin API shows version and
    /// criticality); `nil` for an id the kernel does not know.
    public nonisolated func manifest(of id: String) -> SystemManifest? { manifests[id] }
}
