import Testing
import TrellisJSON

@Suite("trellis json patch, merge-patch and diff")
struct JSONCommandTests {
    let directory: TemporaryDirectory

    init() throws {
        directory = try TemporaryDirectory()
        try directory.write("config.json", #"{"server": {"port": 8080, "hosts": ["a", "b"]}, "debug": true}"#)
    }

    private func trellis(_ arguments: String...) async throws -> CommandOutput {
        try await TrellisBinary.run(["json"] + arguments, in: directory)
    }

    @Test("patch prints the patched document, pretty-printed")
    func patch() async throws {
        try directory.write(
            "patch.json",
            """
            [
              {"op": "replace", "path": "/server/port", "value": 9090},
              {"op": "add", "path": "/server/hosts/-", "value": "c"},
              {"op": "remove", "path": "/debug"}
            ]
            """
        )
        let output = try await trellis("patch", "--patch", "patch.json", "config.json")
        #expect(
            output.standardOutput == """
                {
                  "server": {
                    "port": 9090,
                    "hosts": [
                      "a",
                      "b",
                      "c"
                    ]
                  }
                }

                """
        )
        #expect(output.standardError == "")
        #expect(output.status == 0)
    }

    @Test("a failing operation is named by index, op and path; nothing is printed, exit 2")
    func patchFailure() async throws {
        try directory.write(
            "patch.json",
            #"[{"op": "replace", "path": "/debug", "value": false}, {"op": "remove", "path": "/server/tls"}]"#
        )
        let output = try await trellis("patch", "--patch", "patch.json", "config.json")
        #expect(
            output.standardError.hasPrefix(
                "error: cannot apply 'patch.json' to 'config.json': operation 1 (remove /server/tls): "
            )
        )
        #expect(output.standardOutput == "")
        #expect(output.status == 2)
    }

    @Test("a patch that is not an array of operations is rejected before applying, exit 2")
    func malformedPatch() async throws {
        try directory.write("patch.json", #"[{"op": "add", "path": "/x"}]"#)
        let output = try await trellis("patch", "--patch", "patch.json", "config.json")
        #expect(output.standardError.hasPrefix("error: 'patch.json' is not a valid JSON Patch: operation 0 (add /x): "))
        #expect(output.standardOutput == "")
        #expect(output.status == 2)
    }

    @Test("a patch file that is not JSON is reported with line and column, exit 2")
    func patchNotJSON() async throws {
        try directory.write("patch.json", "[\n  {\"op\": \"remove\" \"path\": \"/debug\"}\n]")
        let output = try await trellis("patch", "--patch", "patch.json", "config.json")
        #expect(output.standardError.hasPrefix("error: patch.json:2:19: the patch file is not valid JSON: "))
        #expect(output.status == 2)
    }

    @Test("merge-patch merges objects, removes null members and replaces the rest")
    func mergePatch() async throws {
        try directory.write("merge.json", #"{"server": {"hosts": ["z"], "tls": true}, "debug": null}"#)
        let output = try await trellis("merge-patch", "--patch", "merge.json", "config.json")
        #expect(
            output.standardOutput == """
                {
                  "server": {
                    "port": 8080,
                    "hosts": [
                      "z"
                    ],
                    "tls": true
                  }
                }

                """
        )
        #expect(output.standardError == "")
        #expect(output.status == 0)
    }

    @Test("merge-patch names a missing document, exit 2")
    func mergePatchMissingDocument() async throws {
        try directory.write("merge.json", "{}")
        let output = try await trellis("merge-patch", "--patch", "merge.json", "absent.json")
        #expect(output.standardError == "error: cannot read document file 'absent.json': no such file\n")
        #expect(output.standardOutput == "")
        #expect(output.status == 2)
    }

    @Test(
        "diff prints a patch that `json patch` turns back into the target",
        arguments: [
            (#"{"a": 1, "b": [1, 2, 3], "c": {"d": null}}"#, #"{"a": 2, "b": [1, 3, 4, 5], "e": "new"}"#),
            (#"[1, 2, 3]"#, #"[0, 1, 2]"#),
            (#"{"a": {"b": {"c": [true]}}}"#, #"{"a": {"b": {"c": [false, true], "d": 1}}}"#),
            (#"{"kind": "object"}"#, #"["now", "an", "array"]"#),
            (#""same""#, #""same""#),
        ])
    func diffRoundTrip(source: String, target: String) async throws {
        try directory.write("source.json", source)
        try directory.write("target.json", target)
        let diff = try await trellis("diff", "source.json", "target.json")
        #expect(diff.status == 0)
        #expect(diff.standardError == "")
        let operations = try #require(try JSONValue(parsing: diff.standardOutput).arrayValue)
        #expect(operations.isEmpty == (source == target))

        try directory.write("diff.json", diff.standardOutput)
        let patched = try await trellis("patch", "--patch", "diff.json", "source.json")
        #expect(patched.status == 0)
        #expect(try JSONValue(parsing: patched.standardOutput) == JSONValue(parsing: target))
    }

    @Test("diff prints exact operations, pretty-printed")
    func diffOutput() async throws {
        try directory.write("target.json", #"{"server": {"port": 9090, "hosts": ["a", "b"]}}"#)
        let output = try await trellis("diff", "config.json", "target.json")
        #expect(
            output.standardOutput == """
                [
                  {
                    "op": "remove",
                    "path": "/debug"
                  },
                  {
                    "op": "replace",
                    "path": "/server/port",
                    "value": 9090
                  }
                ]

                """
        )
        #expect(output.status == 0)
    }

    @Test("diff names a missing file, exit 2")
    func diffMissingFile() async throws {
        let output = try await trellis("diff", "config.json", "missing.json")
        #expect(output.standardError == "error: cannot read target file 'missing.json': no such file\n")
        #expect(output.standardOutput == "")
        #expect(output.status == 2)
    }
}
