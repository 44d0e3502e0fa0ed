import Testing
import TrellisJSON

/// Every case of the official JSON-Schema-Test-Suite for draft 2020-12
/// (`../shared/conformance/json-schema/draft2020-12`, 1,299 cases, none excluded).
/// Remote references `http://localhost:1234/…` resolve to `remotes/`, as the suite says.
@Suite struct JSONSchemaConformanceTests {
    static let expectedCaseCount = 1_299

    @Test func draft2020_12() throws {
        var registry = SchemaRegistry()
        registry.addDirectory(
            ConformanceSuite.directory.appendingPathComponent("json-schema/remotes").path,
            baseURI: "http://localhost:1234/")
        var passed = 0
        var total = 0
        var failures: [String] = []
        for file in try ConformanceSuite.files(in: "json-schema/draft2020-12") {
            for group in try ConformanceSuite.load(file).arrayValue ?? [] {
                let groupName = group["description"]?.stringValue ?? "?"
                let cases = group["tests"]?.arrayValue ?? []
                let schema: JSONSchema
                do {
                    schema = try JSONSchema(group["schema"]!, registry: registry)
                } catch {
                    total += cases.count
                    failures.append("\(file) — \(groupName): does not compile: \(error)")
                    continue
                }
                for testCase in cases {
                    total += 1
                    let expected = testCase["valid"]!.boolValue!
                    let fast = schema.isValid(testCase["data"]!)
                    let full = schema.validate(testCase["data"]!)
                    if fast == expected, full.isValid == expected, expected || !full.errors.isEmpty {
                        passed += 1
                    } else {
                        failures.append(
                            "\(file) — \(groupName) — \(testCase["description"]?.stringValue ?? "?"): expected \(expected), isValid \(fast), validate \(full.isValid) \(full.errors)"
                        )
                    }
                }
            }
        }
        print("JSON Schema draft 2020-12 conformance: \(passed)/\(total) cases passed")
        for failure in failures { print("  FAIL \(failure)") }
        #expect(total == Self.expectedCaseCount)
        #expect(failures.isEmpty)
        #expect(passed == total)
    }
}
