extension JSONPatch {
    /// The patch that turns `source` into `target`: `apply(diff(a, b), a) == b`.
    ///
    /// The patch is small: objects are compared member by member and only changed
    /// leaves are replaced; arrays keep their common prefix and suffix and edit the middle.
    public static func diff(from source: JSONValue, to target: JSONValue) -> JSONPatch {
        var operations: [Operation] = []
        diff(source, target, at: .root, into: &operations)
        return JSONPatch(operations)
    }

    private static func diff(_ source: JSONValue, _ target: JSONValue, at path: JSONPointer, into operations: inout [Operation]) {
        if source == target { return }
        switch (source, target) {
        case (.object(let old), .object(let new)):
            for key in old.keys where new[key] == nil {
                operations.append(.remove(path: path.appending(key)))
            }
            for (key, value) in new {
                if let previous = old[key] {
                    diff(previous, value, at: path.appending(key), into: &operations)
                } else {
                    operations.append(.add(path: path.appending(key), value: value))
                }
            }
        case (.array(let old), .array(let new)):
            diffArrays(old, new, at: path, into: &operations)
        default:
            operations.append(.replace(path: path, value: target))
        }
    }

    private static func diffArrays(_ old: [JSONValue], _ new: [JSONValue], at path: JSONPointer, into operations: inout [Operation]) {
        var prefix = 0
        while prefix < old.count, prefix < new.count, old[prefix] == new[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < old.count - prefix, suffix < new.count - prefix,
            old[old.count - 1 - suffix] == new[new.count - 1 - suffix]
        {
            suffix += 1
        }
        let oldMiddle = old.count - prefix - suffix
        let newMiddle = new.count - prefix - suffix
        // Pair up the changed middle element by element, then remove or insert the rest.
        let paired = min(oldMiddle, newMiddle)
        for offset in 0..<paired {
            diff(old[prefix + offset], new[prefix + offset], at: path.appending(prefix + offset), into: &operations)
        }
        if oldMiddle > newMiddle {
            // Remove from the highest index down so earlier indices stay valid.
            for index in stride(from: prefix + oldMiddle - 1, through: prefix + paired, by: -1) {
                operations.append(.remove(path: path.appending(index)))
            }
        } else {
            for offset in paired..<newMiddle {
                let index = prefix + offset
                let appendsAtEnd = index == old.count - suffix + (offset - paired) && suffix == 0
                operations.append(.add(path: appendsAtEnd ? path.appending("-") : path.appending(index), value: new[index]))
            }
        }
    }
}
