internal import Hummingbird
internal import TrellisJSON

/// Turns the `endpoints` config into ``EndpointSpec``s, collecting every problem the schema
/// cannot see, each with the JSON Pointer of the value at fault (`/endpoints/2/collection`).
///
/// Values of the wrong type are left to the schema: the compiler skips them without a word,
/// so that ``EndpointsSystem/check(config:)`` reports each problem once.
struct EndpointCompiler {
    private(set) var specs: [EndpointSpec] = []
    private(set) var issues: [ValidationError] = []
    /// The routes each endpoint whose path and methods are valid would serve, checked for
    /// collisions even when the rest of the endpoint has problems.
    private var claims: [(index: Int, path: PathPattern, routes: [(shape: String, display: String)])] = []

    static let flowMessage = "mode 'flow' requires the flows system"

    /// The mode each mode-specific setting belongs to.
    static let settingModes: [String: String] = [
        "status": "mock", "headers": "mock", "body": "mock", "text": "mock", "delay_ms": "mock",
        "collection": "database", "schema": "database", "indexes": "database", "max_limit": "database",
        "target": "proxy", "strip_prefix": "proxy", "timeout_ms": "proxy",
    ]

    static let methodsByName: [String: HTTPRequest.Method] = [
        "GET": .get, "HEAD": .head, "POST": .post, "PUT": .put, "PATCH": .patch, "DELETE": .delete, "OPTIONS": .options,
    ]

    static func compile(_ config: JSONValue) -> EndpointCompiler {
        var compiler = EndpointCompiler()
        for (index, endpoint) in (config["endpoints"]?.arrayValue ?? []).enumerated() {
            compiler.compileEndpoint(endpoint, at: JSONPointer(tokens: ["endpoints", String(index)]), index: index)
        }
        compiler.checkCollisions()
        return compiler
    }

    mutating func report(_ pointer: JSONPointer, _ message: String) {
        issues.append(ValidationError(instanceLocation: pointer, keywordLocation: .root, message: message))
    }

    private mutating func compileEndpoint(_ value: JSONValue, at pointer: JSONPointer, index: Int) {
        guard case .object(let endpoint) = value, case .string(let mode)? = endpoint["mode"] else { return }
        if mode == "flow" {
            report(pointer.appending("mode"), Self.flowMessage)
            return
        }
        guard ["mock", "database", "proxy"].contains(mode) else { return }
        for key in endpoint.keys {
            if let owner = Self.settingModes[key], owner != mode {
                report(pointer.appending(key), "'\(key)' is a setting of \(owner) endpoints; a \(mode) endpoint does not use it")
            }
        }
        var path: PathPattern?
        if case .string(let text)? = endpoint["path"] {
            do throws(InvalidSetting) {
                path = try PathPattern(parsing: text)
            } catch {
                report(pointer.appending("path"), error.message)
            }
        }
        let (methods, methodsValid) = self.methods(endpoint, at: pointer, mode: mode)
        if let path, methodsValid {
            claims.append((index, path, EndpointSpec.routeShapes(path: path, methods: methods, mode: mode)))
        }
        // The mode's settings are checked even when the path is not, so every problem shows at once.
        let compiled: EndpointSpec.Mode?
        switch mode {
        case "mock": compiled = compileMock(endpoint, at: pointer, path: path)
        case "database": compiled = compileCollection(endpoint, at: pointer, path: path)
        default: compiled = compileProxy(endpoint, at: pointer)
        }
        if let path, methodsValid, let compiled {
            specs.append(EndpointSpec(index: index, path: path, methods: methods, mode: compiled))
        }
    }

    /// The configured methods, or the mode's defaults; `valid` is false when one cannot be served.
    private mutating func methods(_ endpoint: JSONObject, at pointer: JSONPointer, mode: String) -> (
        methods: [HTTPRequest.Method], valid: Bool
    ) {
        let allowed: [HTTPRequest.Method] =
            switch mode {
            case "mock": [.get, .head, .post, .put, .patch, .delete, .options]
            case "database": CollectionSpec.methods
            default: ProxySpec.methods
            }
        guard case .array(let names)? = endpoint["methods"] else {
            return (mode == "mock" ? [.get] : allowed, true)
        }
        var methods: [HTTPRequest.Method] = []
        var valid = true
        for (position, name) in names.enumerated() {
            guard case .string(let text) = name, let method = Self.methodsByName[text] else {
                valid = false
                continue
            }
            if allowed.contains(method) {
                methods.append(method)
            } else {
                valid = false
                report(
                    pointer.appending("methods").appending(position),
                    "a \(mode) endpoint serves \(allowed.map(\.rawValue).joined(separator: ", ")), not \(text)")
            }
        }
        return (methods, valid)
    }

    /// Reports, on the later endpoint's path, every route two endpoints would both serve.
    private mutating func checkCollisions() {
        var owners: [String: (index: Int, path: PathPattern)] = [:]
        for claim in claims {
            var clashes: [(route: String, owner: (index: Int, path: PathPattern))] = []
            for route in claim.routes {
                if let owner = owners[route.shape] {
                    if owner.index != claim.index { clashes.append((route.display, owner)) }
                } else {
                    owners[route.shape] = (claim.index, claim.path)
                }
            }
            for ownerIndex in Set(clashes.map(\.owner.index)).sorted() {
                let routes = clashes.filter { $0.owner.index == ownerIndex }
                let list = routes.map(\.route).joined(separator: ", ")
                report(
                    JSONPointer(tokens: ["endpoints", String(claim.index), "path"]),
                    "\(list) \(routes.count == 1 ? "is" : "are") already served by /endpoints/\(ownerIndex) (\(routes[0].owner.path)); each method and path may be served once"
                )
            }
        }
    }
}
