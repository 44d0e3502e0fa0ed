internal import HTTPTypes
internal import Hummingbird
internal import TrellisJSON
internal import TrellisStorageCapability

extension EndpointCompiler {
    /// Header names a mock cannot set: the server frames the body itself.
    static let framingHeaders: Set<String> = ["content-length", "transfer-encoding", "connection"]

    mutating func compileMock(_ endpoint: JSONObject, at pointer: JSONPointer, path: PathPattern?) -> EndpointSpec.Mode? {
        let before = issues.count
        var headers: [(name: HTTPField.Name, value: Template)] = []
        var seenHeaders: Set<String> = []
        for (name, value) in endpoint["headers"]?.objectValue ?? [:] {
            let at = pointer.appending("headers").appending(name)
            guard case .string(let text) = value else { continue }
            guard let fieldName = HTTPField.Name(name) else {
                report(at, "'\(name)' is not a valid header name")
                continue
            }
            guard !Self.framingHeaders.contains(fieldName.canonicalName) else {
                report(at, "\(name) is set by the server from the body; remove it")
                continue
            }
            guard seenHeaders.insert(fieldName.canonicalName).inserted else {
                report(at, "the header \(name) is given twice (header names ignore case)")
                continue
            }
            do throws(TemplateError) {
                headers.append((fieldName, try Template(text)))
            } catch {
                report(at, error.message)
            }
        }
        var body = MockEndpoint.Body.none
        if let value = endpoint["body"] {
            body = .json(TemplateValue.compile(value, at: pointer.appending("body")) { report($0, $1) })
        }
        if case .string(let text)? = endpoint["text"] {
            if endpoint["body"] != nil {
                report(pointer.appending("text"), "give either body (JSON) or text, not both")
            }
            do throws(TemplateError) {
                body = .text(try Template(text))
            } catch {
                report(pointer.appending("text"), error.message)
            }
        }
        let status = endpoint["status"]?.intValue ?? 200
        let delay = endpoint["delay_ms"]?.intValue ?? 0
        guard issues.count == before, (100...599).contains(status) else { return nil }
        return .mock(
            MockEndpoint(
                status: HTTPResponse.Status(code: status), headers: headers, body: body,
                delay: delay > 0 ? Duration.milliseconds(delay) : nil, parameterNames: path?.parameterNames ?? []))
    }

    mutating func compileCollection(_ endpoint: JSONObject, at pointer: JSONPointer, path: PathPattern?) -> EndpointSpec.Mode? {
        let before = issues.count
        if let path, path.segments.isEmpty || !path.parameterNames.isEmpty {
            report(
                pointer.appending("path"),
                "a database endpoint's path names its collection, like /todos, without parameters: documents are served at /todos/{id}")
        }
        let schema = compileDocumentSchema(endpoint["schema"], at: pointer.appending("schema"))
        let indexes = compileIndexes(endpoint["indexes"]?.arrayValue ?? [], at: pointer.appending("indexes"))
        guard issues.count == before, case .string(let name)? = endpoint["collection"] else { return nil }
        return .database(CollectionSpec(name: name, schema: schema, indexes: indexes, maxLimit: endpoint["max_limit"]?.intValue ?? 100))
    }

    mutating func compileProxy(_ endpoint: JSONObject, at pointer: JSONPointer) -> EndpointSpec.Mode? {
        guard case .string(let text)? = endpoint["target"] else { return nil }
        do throws(InvalidSetting) {
            let (origin, basePath) = try ProxySpec.parseTarget(text)
            return .proxy(
                ProxySpec(
                    origin: origin, basePath: basePath, stripPrefix: endpoint["strip_prefix"]?.boolValue ?? true,
                    timeoutMilliseconds: endpoint["timeout_ms"]?.intValue ?? 30_000))
        } catch {
            report(pointer.appending("target"), error.message)
            return nil
        }
    }

    /// Compiles a collection's document schema and checks it leaves the reserved members alone.
    private mutating func compileDocumentSchema(_ value: JSONValue?, at pointer: JSONPointer) -> JSONSchema? {
        guard let value, value.objectValue != nil || value.boolValue != nil else { return nil }
        for (name, _) in value["properties"]?.objectValue ?? [:] where DocumentRepresentation.reservedMembers.contains(name) {
            report(pointer.appending("properties").appending(name), Self.reservedMessage(name))
        }
        for (position, name) in (value["required"]?.arrayValue ?? []).enumerated() {
            if case .string(let name) = name, DocumentRepresentation.reservedMembers.contains(name) {
                report(pointer.appending("required").appending(position), Self.reservedMessage(name))
            }
        }
        do throws(SchemaCompileError) {
            return try JSONSchema(value)
        } catch {
            if error.errors.isEmpty {
                report(pointer, "the schema does not compile: \(error.message)")
            } else {
                for issue in error.errors {
                    report(JSONPointer(tokens: pointer.tokens + issue.instanceLocation.tokens), "the schema is invalid: \(issue.message)")
                }
            }
            return nil
        }
    }

    private mutating func compileIndexes(_ values: [JSONValue], at pointer: JSONPointer) -> [IndexedField] {
        var indexes: [IndexedField] = []
        for (position, value) in values.enumerated() {
            let at = pointer.appending(position)
            let index: IndexedField
            switch value {
            case .string(let name):
                index = IndexedField(name)
            case .object(let members):
                guard case .string(let name)? = members["name"] else { continue }
                var fieldPointer: JSONPointer?
                if case .string(let text)? = members["pointer"] {
                    do throws(JSONPointerError) {
                        fieldPointer = try JSONPointer(text)
                    } catch {
                        report(at.appending("pointer"), "'\(text)' is not a JSON Pointer: \(error.reason)")
                        continue
                    }
                    if fieldPointer!.isRoot || DocumentRepresentation.reservedMembers.contains(fieldPointer!.tokens[0]) {
                        report(
                            at.appending("pointer"),
                            "an index must point into the document's own members, not \(text.isEmpty ? "the whole document" : text)")
                        continue
                    }
                }
                let kind = members["type"]?.stringValue.flatMap(IndexedField.Kind.init(rawValue:)) ?? .text
                index = IndexedField(name, pointer: fieldPointer, kind: kind)
            default:
                continue
            }
            if DocumentRepresentation.reservedMembers.contains(index.name) {
                report(
                    at,
                    "'\(index.name)' cannot be an index name: id, created_at, updated_at and version are the server's, and lists already sort by id, created_at and updated_at"
                )
            } else if indexes.contains(where: { $0.name == index.name }) {
                report(at, "the index '\(index.name)' is declared twice")
            } else {
                indexes.append(index)
            }
        }
        return indexes
    }

    private static func reservedMessage(_ name: String) -> String {
        "'\(name)' is set by the server (id, created_at, updated_at and version are reserved in every document); remove it from the schema"
    }
}
