internal import Foundation
internal import HTTPTypes
internal import Hummingbird
internal import TrellisHTTPCapability
internal import TrellisJSON

/// A `mock` endpoint: a fixed (or templated) response, optionally after a delay.
///
/// A response without templates is serialized once, when the config is applied, so serving
/// it costs little more than Hummingbird itself.
struct MockEndpoint: Sendable {
    enum Body: Sendable {
        case none
        case json(TemplateValue)
        case text(Template)
    }

    let status: HTTPResponse.Status
    let headers: [(name: HTTPField.Name, value: Template)]
    let body: Body
    let delay: Duration?
    /// The path parameters templates can read.
    let parameterNames: [String]
    private let prebuilt: (headers: HTTPFields, body: ByteBuffer)?

    init(
        status: HTTPResponse.Status, headers: [(name: HTTPField.Name, value: Template)], body: Body, delay: Duration?,
        parameterNames: [String]
    ) {
        self.status = status
        self.headers = headers
        self.body = body
        self.delay = delay
        self.parameterNames = parameterNames
        let constantBody: Bool =
            switch body {
            case .none: true
            case .json(let value): value.isConstant
            case .text(let template): template.isConstant
            }
        if constantBody, headers.allSatisfy(\.value.isConstant) {
            prebuilt = Self.build(headers: headers, body: body, context: nil)
        } else {
            prebuilt = nil
        }
    }

    func respond(to request: Request, context: TrellisRequestContext) async throws -> Response {
        if let delay { try await Task.sleep(for: delay) }
        if let prebuilt {
            return Response(status: status, headers: prebuilt.headers, body: ResponseBody(byteBuffer: prebuilt.body))
        }
        let built = Self.build(headers: headers, body: body, context: templateContext(request, context))
        return Response(status: status, headers: built.headers, body: ResponseBody(byteBuffer: built.body))
    }

    private func templateContext(_ request: Request, _ context: TrellisRequestContext) -> TemplateContext {
        var params: [String: String] = [:]
        for name in parameterNames {
            if let raw = context.parameters.get(name) { params[name] = raw.removingPercentEncoding ?? raw }
        }
        var query: [String: String] = [:]
        for (key, value) in request.uri.queryParameters {
            let name = String(key).removingPercentEncoding ?? String(key)
            if query[name] == nil { query[name] = String(value) }
        }
        var headers: [String: String] = [:]
        for field in request.headers {
            let name = field.name.canonicalName
            headers[name] = headers[name].map { "\($0), \(field.value)" } ?? field.value
        }
        return TemplateContext(params: params, query: query, headers: headers)
    }

    private static func build(
        headers: [(name: HTTPField.Name, value: Template)], body: Body, context: TemplateContext?
    ) -> (headers: HTTPFields, body: ByteBuffer) {
        func render(_ template: Template) -> String {
            context.map(template.render) ?? template.source
        }
        var fields = HTTPFields()
        let bytes: [UInt8]
        switch body {
        case .none:
            bytes = []
        case .json(let value):
            fields[.contentType] = "application/json"
            bytes = (context.map(value.render) ?? value.constantValue).serializedBytes()
        case .text(let template):
            fields[.contentType] = "text/plain; charset=utf-8"
            bytes = Array(render(template).utf8)
        }
        for (name, value) in headers {
            // A configured header replaces the default of the same name (Content-Type).
            fields[name] = render(value)
        }
        return (fields, ByteBuffer(bytes: bytes))
    }
}

extension TemplateValue {
    /// The value of a constant tree; only called when there is no template in it.
    fileprivate var constantValue: JSONValue {
        if case .constant(let value) = self { return value }
        return render(TemplateContext(params: [:], query: [:], headers: [:]))
    }
}
