extension JSONValue {
    /// Applies a JSON Merge Patch (RFC 7396): objects merge member by member,
    /// `null` removes a member, anything else replaces the target.
    public func mergePatched(with patch: JSONValue) -> JSONValue {
        guard case .object(let patchObject) = patch else { return patch }
        var result: JSONObject
        if case .object(let object) = self { result = object } else { result = [:] }
        for (key, value) in patchObject {
            if value.isNull {
                result.removeValue(forKey: key)
            } else {
                result[key] = (result[key] ?? .null).mergePatched(with: value)
            }
        }
        return .object(result)
    }

    /// The merge patch that turns `self` into `target`, or `nil` when RFC 7396 cannot
    /// express it (the target has an object member whose value is `null`: in a merge
    /// patch `null` means "remove").
    public func mergePatch(to target: JSONValue) -> JSONValue? {
        guard !target.hasNullMember else { return nil }
        return mergePatchUnchecked(to: target)
    }

    private func mergePatchUnchecked(to target: JSONValue) -> JSONValue {
        guard case .object(let source) = self, case .object(let goal) = target else { return target }
        var patch = JSONObject()
        for key in source.keys where goal[key] == nil { patch[key] = .null }
        for (key, value) in goal {
            if let old = source[key] {
                if old != value { patch[key] = old.mergePatchUnchecked(to: value) }
            } else {
                patch[key] = value
            }
        }
        return .object(patch)
    }

    /// Whether an object anywhere in this value (outside arrays, which merge patches replace whole) has a `null` member.
    private var hasNullMember: Bool {
        guard case .object(let object) = self else { return false }
        return object.values.contains { $0.isNull || $0.hasNullMember }
    }
}
