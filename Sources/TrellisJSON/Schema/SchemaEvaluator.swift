/// Runs a ``SchemaProgram`` against one instance.
///
/// With `collecting` off it stops at the first failure (the fast `isValid` path); with it
/// on it visits every keyword and records an error for each failure, with its instance
/// and keyword locations. Subschemas whose failure is not itself an error (`anyOf`
/// branches, `not`, `if`, `contains`) always run with collecting off.
struct SchemaEvaluator {
    let program: SchemaProgram
    let tracking: Bool
    var collecting: Bool
    var errors: [ValidationError] = []
    private var dynamicScope: [Int] = []
    private var instancePath: [String] = []
    private var keywordPath: [String] = []
    private var depth = 0
    static let maximumDepth = 2_000

    init(program: SchemaProgram, collecting: Bool) {
        self.program = program
        self.tracking = program.needsAnnotations
        self.collecting = collecting
    }

    /// Validates `instance` against node `index`, adding what it evaluated to `annotations`.
    mutating func validate(_ index: Int, _ instance: JSONValue, _ annotations: inout Annotations) -> Bool {
        let node = program.nodes[index]
        if case .always(let result) = node.body {
            if !result { report("no value is allowed here (the schema is false)") }
            return result
        }
        depth += 1
        defer { depth -= 1 }
        guard depth < Self.maximumDepth else {
            report("the schema refers to itself without end; validation stopped")
            return false
        }
        let entersResource = dynamicScope.last != node.resource
        if entersResource { dynamicScope.append(node.resource) }
        defer { if entersResource { dynamicScope.removeLast() } }

        var valid = true
        for keyword in node.keywords {
            // `if`/`then`/`else` is one keyword with no name of its own; it names its branch.
            let named = collecting && !keyword.name.isEmpty
            if named { keywordPath.append(keyword.name) }
            let passed = evaluate(keyword, node: node, instance, &annotations)
            if named { keywordPath.removeLast() }
            if !passed {
                valid = false
                if !collecting { return false }
            }
        }
        return valid
    }

    /// Validates against a subschema at the same instance location, keeping its annotations if it passes.
    /// The path is an autoclosure for the same reason as ``applyToChild(_:_:instanceToken:keywordToken:)``'s tokens.
    private mutating func applyInPlace(
        _ index: Int, _ instance: JSONValue, _ annotations: inout Annotations, path: @autoclosure () -> String? = nil
    ) -> Bool {
        let path = collecting ? path() : nil
        if let path { keywordPath.append(path) }
        defer { if path != nil { keywordPath.removeLast() } }
        guard tracking else {
            var ignored = Annotations()
            return validate(index, instance, &ignored)
        }
        var own = Annotations()
        let passed = validate(index, instance, &own)
        if passed { annotations.merge(own) }
        return passed
    }

    /// Validates a child of the instance (a property value or an item) against a subschema.
    ///
    /// The tokens are autoclosures because only the collecting path needs them: `isValid`
    /// should not turn array indices into strings.
    mutating func applyToChild(
        _ index: Int, _ child: JSONValue, instanceToken: @autoclosure () -> String, keywordToken: @autoclosure () -> String? = nil
    ) -> Bool {
        guard collecting else {
            var ignored = Annotations()
            return validate(index, child, &ignored)
        }
        instancePath.append(instanceToken())
        let keywordToken = keywordToken()
        if let keywordToken { keywordPath.append(keywordToken) }
        var ignored = Annotations()
        let passed = validate(index, child, &ignored)
        instancePath.removeLast()
        if keywordToken != nil { keywordPath.removeLast() }
        return passed
    }

    /// Runs `body` with error collection off: for subschemas whose failures are not errors themselves.
    private mutating func quietly<T>(_ body: (inout SchemaEvaluator) -> T) -> T {
        let saved = collecting
        collecting = false
        defer { collecting = saved }
        return body(&self)
    }

    /// Records an error when collecting. The message is an autoclosure because failures
    /// inside `anyOf`, `not` and `if` are not errors, and their messages need not be built.
    mutating func report(_ message: @autoclosure () -> String, instanceToken: String? = nil, keywordTokens: [String] = []) {
        guard collecting else { return }
        var instance = instancePath
        if let instanceToken { instance.append(instanceToken) }
        errors.append(
            ValidationError(
                instanceLocation: JSONPointer(tokens: instance),
                keywordLocation: JSONPointer(tokens: keywordPath + keywordTokens),
                message: message()))
    }

    func isFalseSchema(_ index: Int) -> Bool {
        if case .always(false) = program.nodes[index].body { true } else { false }
    }

    // MARK: Keywords

    private mutating func evaluate(_ keyword: Keyword, node: SchemaNode, _ instance: JSONValue, _ annotations: inout Annotations) -> Bool {
        switch keyword.kind {
        case .ref(let target):
            return applyInPlace(target, instance, &annotations)
        case .dynamicRef(let target, let anchor):
            var resolved = target
            for resource in dynamicScope {
                if let outermost = program.resources[resource].dynamicAnchors[anchor] {
                    resolved = outermost
                    break
                }
            }
            return applyInPlace(resolved, instance, &annotations)
        case .recursiveRef(let target):
            var resolved = target
            if program.resources[program.nodes[target].resource].hasRecursiveAnchor,
                let outermost = dynamicScope.first(where: { program.resources[$0].hasRecursiveAnchor })
            {
                resolved = program.resources[outermost].rootNode
            }
            return applyInPlace(resolved, instance, &annotations)
        case .allOf(let subschemas):
            var valid = true
            for (offset, subschema) in subschemas.enumerated() {
                if !applyInPlace(subschema, instance, &annotations, path: String(offset)) {
                    valid = false
                    if !collecting { return false }
                }
            }
            return valid
        case .anyOf(let subschemas):
            var matched = false
            quietly { evaluator in
                for subschema in subschemas where evaluator.applyInPlace(subschema, instance, &annotations) {
                    matched = true
                    if !evaluator.tracking { break }
                }
            }
            if !matched { report("\(Self.summary(instance)) does not match any of the \(subschemas.count) schemas in anyOf") }
            return matched
        case .oneOf(let subschemas):
            var matches: [Int] = []
            var matchedAnnotations = Annotations()
            quietly { evaluator in
                for (offset, subschema) in subschemas.enumerated() {
                    var own = Annotations()
                    if evaluator.applyInPlace(subschema, instance, &own) {
                        matches.append(offset)
                        matchedAnnotations = own
                        if matches.count > 1 { break }
                    }
                }
            }
            if matches.count == 1 {
                annotations.merge(matchedAnnotations)
                return true
            }
            if matches.isEmpty {
                report("\(Self.summary(instance)) does not match any of the \(subschemas.count) schemas in oneOf; exactly one must match")
            } else {
                report(
                    "\(Self.summary(instance)) matches more than one schema in oneOf (\(matches.map(String.init).joined(separator: " and "))); exactly one must match"
                )
            }
            return false
        case .not(let subschema):
            let matched = quietly { evaluator in
                var ignored = Annotations()
                return evaluator.validate(subschema, instance, &ignored)
            }
            if matched { report("\(Self.summary(instance)) must not match the schema in not") }
            return !matched
        case .conditional(let condition, let then, let otherwise):
            var conditionAnnotations = Annotations()
            let holds = quietly { evaluator in evaluator.validate(condition, instance, &conditionAnnotations) }
            if holds {
                annotations.merge(conditionAnnotations)
                guard let then else { return true }
                return applyInPlace(then, instance, &annotations, path: "then")
            }
            guard let otherwise else { return true }
            return applyInPlace(otherwise, instance, &annotations, path: "else")
        case .dependentSchemas(let dependencies):
            guard case .object(let object) = instance else { return true }
            var valid = true
            for (name, subschema) in dependencies where object[name] != nil {
                if !applyInPlace(subschema, instance, &annotations, path: name) {
                    valid = false
                    if !collecting { return false }
                }
            }
            return valid
        default:
            return evaluateOnInstance(keyword, node: node, instance, &annotations)
        }
    }
}
