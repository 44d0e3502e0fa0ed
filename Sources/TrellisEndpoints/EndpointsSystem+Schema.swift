internal import TrellisJSON

extension EndpointsSystem {
    /// The JSON Schema (2020-12) of the `endpoints` system's config. Checks that belong to more
    /// than one field (a path's syntax, settings of another mode, duplicate routes, templates,
    /// a collection's schema) are made by ``check(config:)``, which also applies this schema.
    static let configSchema: JSONValue = [
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "additionalProperties": false,
        "properties": [
            "endpoints": [
                "description": "The declarative endpoints, served at the paths they name.",
                "type": "array",
                "items": endpointSchema,
            ]
        ],
    ]

    private static let methodNames: [JSONValue] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
    private static let namePattern: JSONValue = "^[a-z][a-z0-9_]*$"

    private static let endpointSchema: JSONValue = [
        "type": "object",
        "additionalProperties": false,
        "required": ["path", "mode"],
        "properties": [
            "path": [
                "description": "Where the endpoint is served: '/items/{id}'; a database endpoint's collection path, a proxy's prefix.",
                "type": "string",
            ],
            "methods": [
                "description": "The HTTP methods served; by default GET for mock, all CRUD methods for database, all for proxy.",
                "type": "array", "minItems": 1, "uniqueItems": true, "items": ["enum": .array(methodNames)],
            ],
            "mode": ["description": "What the endpoint does.", "enum": ["mock", "database", "proxy", "flow"]],
            "status": ["description": "mock: the response status.", "type": "integer", "minimum": 100, "maximum": 599],
            "headers": [
                "description": "mock: response headers; values are Mustache templates.",
                "type": "object", "additionalProperties": ["type": "string"],
            ],
            "body": ["description": "mock: a JSON response body; its strings are Mustache templates."],
            "text": ["description": "mock: a text/plain response body, a Mustache template.", "type": "string"],
            "delay_ms": [
                "description": "mock: milliseconds to wait before answering.", "type": "integer", "minimum": 0, "maximum": 60_000,
            ],
            "collection": ["description": "database: the collection's name.", "type": "string", "pattern": namePattern],
            "schema": ["description": "database: the JSON Schema every document must pass.", "type": ["object", "boolean"]],
            "indexes": [
                "description": "database: fields stored in indexed columns, to filter and sort lists by.",
                "type": "array",
                "items": [
                    "description": "A field name, or {name, pointer, type} for a field elsewhere or of another type.",
                    "type": ["string", "object"],
                    "pattern": namePattern,
                    "additionalProperties": false,
                    "required": ["name"],
                    "properties": [
                        "name": ["description": "The name list queries use.", "type": "string", "pattern": namePattern],
                        "pointer": ["description": "A JSON Pointer to the field in the document; /name by default.", "type": "string"],
                        "type": ["description": "How the field is stored and compared.", "enum": ["text", "integer", "real"]],
                    ],
                ],
            ],
            "max_limit": [
                "description": "database: the largest page a list may ask for.", "type": "integer", "minimum": 1, "maximum": 1_000,
            ],
            "target": ["description": "proxy: the upstream's absolute http(s) URL.", "type": "string"],
            "strip_prefix": [
                "description": "proxy: forward the path after the endpoint's prefix (true) or the whole path.", "type": "boolean",
            ],
            "timeout_ms": [
                "description": "proxy: milliseconds the upstream has to start its response.", "type": "integer", "minimum": 1,
                "maximum": 600_000,
            ],
        ],
        "allOf": [
            [
                "if": ["properties": ["mode": ["const": "database"]], "required": ["mode"]],
                "then": ["required": ["collection"]],
            ],
            [
                "if": ["properties": ["mode": ["const": "proxy"]], "required": ["mode"]],
                "then": ["required": ["target"]],
            ],
        ],
    ]

    /// The compiled schema; a literal that the manifest check and the tests prove valid.
    static let compiledConfigSchema: JSONSchema = try! JSONSchema(configSchema)
}
