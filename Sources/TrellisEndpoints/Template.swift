internal import Mustache
internal import TrellisJSON

/// A config string that may hold Mustache tags (`Hello {{params.name}}`), compiled once.
///
/// Templates render as plain text: nothing is HTML-escaped, because the result goes into a
/// JSON string (escaped by the JSON writer), a text body or a header value.
struct Template: Sendable {
    /// Switches the template to plain text; the comment that follows keeps a newline at the
    /// start of the user's text from being taken as the end of a standalone pragma line.
    private static let plainTextPrefix = "{{%CONTENT_TYPE:TEXT}}{{!}}"

    let source: String
    /// `nil` when the text has no tag and renders as itself.
    private let compiled: MustacheTemplate?

    /// - Throws: a ``TemplateError`` with the line and column of the first syntax error.
    init(_ source: String) throws(TemplateError) {
        self.source = source
        guard source.contains("{{") else {
            compiled = nil
            return
        }
        do {
            compiled = try MustacheTemplate(string: Self.plainTextPrefix + source)
        } catch let error as MustacheTemplate.ParserError {
            let line = error.context.lineNumber
            let column = line == 1 ? error.context.columnNumber - Self.plainTextPrefix.count : error.context.columnNumber
            throw TemplateError(
                message: "invalid Mustache template at line \(line), column \(max(column, 1)): \(Self.explain(error.error))")
        } catch {
            throw TemplateError(message: "invalid Mustache template: \(error)")
        }
    }

    var isConstant: Bool { compiled == nil }

    func render(_ context: TemplateContext) -> String {
        guard let compiled else { return source }
        return compiled.render(context.object)
    }

    private static func explain(_ error: any Error) -> String {
        switch error as? MustacheTemplate.Error {
        case .sectionCloseNameIncorrect?: "a section is closed with a different name than it was opened with"
        case .unfinishedName?: "a tag is not closed with '}}'"
        case .expectedSectionEnd?: "a section is not closed ({{#name}} needs {{/name}})"
        case .invalidSetDelimiter?: "the set-delimiter tag is malformed"
        case .transformAppliedToInheritanceSection?: "a transform cannot apply to an inheritance section"
        case .illegalTokenInsideInheritSection?, .textInsideInheritSection?: "an inheritance section holds something it cannot"
        case .invalidConfigVariableSyntax?, .unrecognisedConfigVariable?: "the pragma tag is not one Trellis supports"
        // The parser's own error type is internal to swift-mustache; `overflow` is reading past the end.
        case nil where "\(error)" == "overflow": "the text ends inside a tag: a '{{' has no '}}'"
        case nil: "\(error)"
        }
    }
}

/// A template that does not parse.
struct TemplateError: Error, Sendable {
    let message: String
}

/// What templates render over: `params` (path parameters), `query` (query parameters, the
/// first value of each) and `headers` (request headers, names lower-cased, repeated values
/// joined with `, `).
struct TemplateContext {
    let object: [String: Any]

    init(params: [String: String], query: [String: String], headers: [String: String]) {
        object = ["params": params, "query": query, "headers": headers]
    }
}

/// A JSON value whose strings may be templates; subtrees without any tag stay constant.
indirect enum TemplateValue: Sendable {
    case constant(JSONValue)
    case string(Template)
    case array([TemplateValue])
    case object([(key: String, value: TemplateValue)])

    /// Compiles every string in `value`.
    /// - Parameter report: called with the pointer and message of each string that does not compile.
    static func compile(_ value: JSONValue, at pointer: JSONPointer, report: (JSONPointer, String) -> Void) -> TemplateValue {
        switch value {
        case .string(let text):
            do throws(TemplateError) {
                let template = try Template(text)
                return template.isConstant ? .constant(value) : .string(template)
            } catch {
                report(pointer, error.message)
                return .constant(value)
            }
        case .array(let elements):
            let compiled = elements.enumerated().map { index, element in
                compile(element, at: pointer.appending(index), report: report)
            }
            return compiled.allSatisfy(\.isConstant) ? .constant(value) : .array(compiled)
        case .object(let members):
            let compiled = members.map { key, member in
                (key: key, value: compile(member, at: pointer.appending(key), report: report))
            }
            return compiled.allSatisfy(\.value.isConstant) ? .constant(value) : .object(compiled)
        case .null, .bool, .number:
            return .constant(value)
        }
    }

    var isConstant: Bool {
        if case .constant = self { true } else { false }
    }

    func render(_ context: TemplateContext) -> JSONValue {
        switch self {
        case .constant(let value): value
        case .string(let template): .string(template.render(context))
        case .array(let elements): .array(elements.map { $0.render(context) })
        case .object(let members): .object(JSONObject(uniqueKeysWithValues: members.map { ($0.key, $0.value.render(context)) }))
        }
    }
}
