import Testing
import TrellisEndpoints
import TrellisJSON

@Suite struct EndpointsCheckTests {
    /// The configs the README shows, one per mode.
    static let examples: JSONValue = [
        "endpoints": [
            [
                "path": "/hello/{name}", "mode": "mock", "headers": ["X-Greeting": "hi {{params.name}}"],
                "body": ["message": "Hello {{params.name}}"], "delay_ms": 10,
            ],
            ["path": "/robots.txt", "mode": "mock", "text": "User-agent: *\nDisallow:"],
            [
                "path": "/todos", "mode": "database", "collection": "todos", "max_limit": 50,
                "schema": [
                    "type": "object", "required": ["title"], "additionalProperties": false,
                    "properties": [
                        "title": ["type": "string", "minLength": 1], "done": ["type": "boolean"],
                        "priority": ["type": "integer", "minimum": 1, "maximum": 5],
                    ],
                ],
                "indexes": ["title", ["name": "priority", "type": "integer"]],
            ],
            ["path": "/api", "mode": "proxy", "target": "http://127.0.0.1:9000/v1", "timeout_ms": 5000],
            [
                "path": "/legacy/{tenant}", "mode": "proxy", "target": "https://legacy.example.com", "strip_prefix": false,
                "methods": ["GET"],
            ],
        ]
    ]

    @Test func validConfigsHaveNoIssues() {
        #expect(EndpointsSystem.check(config: Self.examples).isEmpty)
        #expect(EndpointsSystem.check(config: ["endpoints": []]).isEmpty)
        #expect(EndpointsSystem.check(config: [:]).isEmpty)
    }

    @Test func everyProblemIsReportedWithItsPointer() {
        let config: JSONValue = [
            "endpoints": [
                ["path": "/a/{id}/{id}", "mode": "mock"],
                ["path": "/flows/run", "mode": "flow"],
                [
                    "path": "/todos", "mode": "database", "collection": "todos", "target": "http://x",
                    "schema": ["type": "object", "properties": ["id": ["type": "string"]], "required": ["title", "version"]],
                    "indexes": ["title", "title", "created_at", ["name": "owner", "pointer": "owner"]],
                ],
                ["path": "/hello", "mode": "mock", "text": "hi", "body": ["x": "{{#open}}"], "headers": ["X-A": "{{unclosed"]],
                ["path": "/hello", "mode": "mock", "methods": ["POST", "GET"]],
                ["path": "/api", "mode": "proxy", "target": "ftp://example.com"],
                ["path": "items", "mode": "mock"],
                ["path": "/db/{x}", "mode": "database", "collection": "things", "methods": ["GET", "HEAD"]],
                ["path": "/p/{Bad-Name}", "mode": "mock", "headers": ["Content-Length": "3"]],
                ["path": "/api/{rest}", "mode": "proxy", "target": "http://h/x?y=1"],
                ["path": "/api", "mode": "mock", "status": 700],
            ]
        ]
        let issues = EndpointsSystem.check(config: config).map(\.description)
        #expect(
            issues == [
                "/endpoints/0/path: the parameter {id} appears more than once",
                "/endpoints/1/mode: mode 'flow' requires the flows system",
                "/endpoints/2/target: 'target' is a setting of proxy endpoints; a database endpoint does not use it",
                "/endpoints/2/schema/properties/id: 'id' is set by the server (id, created_at, updated_at and version are reserved in every document); remove it from the schema",
                "/endpoints/2/schema/required/1: 'version' is set by the server (id, created_at, updated_at and version are reserved in every document); remove it from the schema",
                "/endpoints/2/indexes/1: the index 'title' is declared twice",
                "/endpoints/2/indexes/2: 'created_at' cannot be an index name: id, created_at, updated_at and version are the server's, and lists already sort by id, created_at and updated_at",
                "/endpoints/2/indexes/3/pointer: 'owner' is not a JSON Pointer: a JSON Pointer must be empty or start with '/'",
                "/endpoints/3/headers/X-A: invalid Mustache template at line 1, column 11: the text ends inside a tag: a '{{' has no '}}'",
                "/endpoints/3/body/x: invalid Mustache template at line 1, column 10: a section is not closed ({{#name}} needs {{/name}})",
                "/endpoints/3/text: give either body (JSON) or text, not both",
                "/endpoints/4/path: GET /hello is already served by /endpoints/3 (/hello); each method and path may be served once",
                "/endpoints/5/target: the target must be an absolute http:// or https:// URL",
                "/endpoints/6/path: the path must start with '/'",
                "/endpoints/7/methods/1: a database endpoint serves GET, POST, PUT, PATCH, DELETE, not HEAD",
                "/endpoints/7/path: a database endpoint's path names its collection, like /todos, without parameters: documents are served at /todos/{id}",
                "/endpoints/8/path: '{Bad-Name}' is not a valid parameter: write {name} as a whole segment, with letters, digits and underscores, not starting with a digit",
                "/endpoints/8/headers/Content-Length: Content-Length is set by the server from the body; remove it",
                "/endpoints/9/target: the target cannot have a query or fragment; the request's query string is forwarded as it is",
                "/endpoints/10/status: 700 is greater than the maximum of 599",
                "/endpoints/10/path: GET /api is already served by /endpoints/5 (/api); each method and path may be served once",
            ])
    }

    @Test func schemaErrorsComeWithPointersToo() {
        let config: JSONValue = [
            "endpoints": [
                ["path": "/x", "mode": "mock", "delay_ms": 60_001, "colour": "red"],
                ["path": "/y", "mode": "database"],
                ["path": "/z", "mode": "proxy", "target": "http://h", "timeout_ms": 0],
                ["path": "/w", "mode": "database", "collection": "Bad-Name", "indexes": ["ok", 3, ["name": "n", "kind": "text"]]],
                ["mode": "carrier-pigeon"],
            ],
            "extra": true,
        ]
        let pointers = Set(EndpointsSystem.check(config: config).map(\.instanceLocation.description))
        #expect(
            pointers == [
                "/extra", "/endpoints/0/colour", "/endpoints/0/delay_ms", "/endpoints/1", "/endpoints/2/timeout_ms",
                "/endpoints/3/collection", "/endpoints/3/indexes/1", "/endpoints/3/indexes/2/kind", "/endpoints/4", "/endpoints/4/mode",
            ])
    }

    @Test func anInvalidDocumentSchemaRejectsTheConfig() {
        let config: JSONValue = [
            "endpoints": [["path": "/things", "mode": "database", "collection": "things", "schema": ["type": "thing", "minimum": "1"]]]
        ]
        let issues = EndpointsSystem.check(config: config)
        #expect(!issues.isEmpty)
        #expect(issues.allSatisfy { $0.instanceLocation.description.hasPrefix("/endpoints/0/schema") })
        #expect(issues.allSatisfy { $0.message.hasPrefix("the schema is invalid: ") })
        #expect(
            Set(issues.map(\.instanceLocation.description)).isSuperset(of: ["/endpoints/0/schema/type", "/endpoints/0/schema/minimum"]))
    }
}
