extension JSONValue {
    /// Layers `overlay` over this value: objects merge member by member (the overlay's
    /// members winning, recursively); any other value, `null` included, replaces.
    ///
    /// Unlike a merge patch (RFC 7396), `null` is a value here, not a removal: config
    /// layers use it to set a key to null explicitly.
    public func merged(with overlay: JSONValue) -> JSONValue {
        guard case .object(var base) = self, case .object(let top) = overlay else { return overlay }
        for (key, value) in top {
            base[key] = base[key].map { $0.merged(with: value) } ?? value
        }
        return .object(base)
    }
}
