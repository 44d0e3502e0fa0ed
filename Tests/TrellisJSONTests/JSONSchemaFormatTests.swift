import Testing
import TrellisJSON

/// `format`: every format Trellis knows, asserted only when asked (2020-12 makes it an annotation).
@Suite struct JSONSchemaFormatTests {
    /// Valid and invalid examples of every format Trellis asserts.
    static let formatExamples: [(format: String, valid: [String], invalid: [String])] = [
        (
            "date-time", ["1985-04-12T23:20:50.52Z", "1996-12-19T16:39:57-08:00", "1990-12-31T23:59:60Z", "2024-02-29t00:00:00z"],
            [
                "1985-04-12T23:20:50.52", "1990-02-31T15:59:59-08:00", "1985-04-12", "1990-12-31T15:59:60Z",
                "1963-06-19T08:30:06.28123+01:00Z",
            ]
        ),
        (
            "date", ["2020-02-29", "1963-06-19", "2000-12-31"],
            ["2021-02-29", "2020-1-01", "2020-01-32", "2020-13-01", "06/19/1963", "2020-01-0١"]
        ),
        (
            "time", ["08:30:06Z", "23:59:60Z", "15:59:60-08:00", "08:30:06.283185+01:00"],
            ["08:30:06", "24:00:00Z", "22:59:60Z", "08:30:06+24:00", "8:30:06Z", "08:30:06.Z"]
        ),
        (
            "duration", ["P4DT12H30M5S", "P1Y", "PT36H", "P2W", "P1M", "PT1M"],
            ["P", "PT", "P1D2H", "P2D1Y", "P1Y2W", "1Y", "PT1D", "P২W", "P১Y"]
        ),
        (
            "email", ["joe.bloggs@example.com", "te~st@example.com", "joe@[127.0.0.1]", "joe@[IPv6:::1]"],
            ["2962", ".test@example.com", "test.@example.com", "te..st@example.com", "joe@-example.com", "a b@example.com"]
        ),
        (
            "hostname", ["www.example.com", "a-b.c", "xn--4gbwdl.xn--wgbh1c", "localhost"],
            ["-a.com", "a-.com", "a..com", "a_b.com", String(repeating: "a", count: 64) + ".com", "", "exa mple.com"]
        ),
        (
            "ipv4", ["192.168.0.1", "0.0.0.0", "255.255.255.255"],
            ["256.0.0.1", "1.2.3", "087.10.0.1", "1.2.3.4 ", "١٢٧.0.0.1", "1.2.3.4.5"]
        ),
        (
            "ipv6", ["::1", "2001:db8::ff00:42:8329", "::ffff:192.168.0.1", "::"],
            ["12345::", "1:2:3:4:5:6:7:8:9", "::1%eth0", "fe80::1 ", ":::", "1::2::3", "::ffff:256.0.0.1"]
        ),
        (
            "uri", ["http://example.com/a?b=c#d", "urn:isbn:0451450523", "mailto:a@b.c", "http://[::1]:80/", "http://example.com/%20"],
            [
                "//example.com", "/relative", "http://exa mple.com", "\\\\WINDOWS\\share", "ht^tp://x", "1http://x",
                "http://example.com/%2", "http://é.com",
            ]
        ),
        (
            "uri-reference", ["/relative/path", "#frag", "", "../x", "http://example.com/"],
            ["\\\\WINDOWS\\share", "#frag^ment", "http://exa mple", "%zz"]
        ),
        (
            "uuid",
            ["2EB8AA08-AA98-11EA-B4AA-73B441D16380", "00000000-0000-0000-0000-000000000000", "2eb8aa08-aa98-11ea-b4aa-73b441d16380"],
            [
                "2eb8aa08-aa98-11ea-b4aa-73b441d1638", "2eb8aa08aa9811eab4aa73b441d16380", "2eb8aa08-aa98-11ea-b4aa-73b441d1638g",
                "\u{FF12}eb8aa08-aa98-11ea-b4aa-73b441d16380", "2eb8aa0-8aa98-11ea-b4aa-73b441d16380",
            ]
        ),
        ("regex", ["^[a-z]+$", "(?:x|y)*", "\\d{3}"], ["(", "[a-z", "a{2,1}"]),
        ("json-pointer", ["", "/foo/0", "/a~1b", "/", "/~0"], ["foo", "/~2", "#/a", "/a~"]),
    ]

    @Test func formatsAssertOnlyWhenAsked() throws {
        for (format, valid, invalid) in Self.formatExamples {
            let document: JSONValue = ["format": .string(format)]
            let asserting = try JSONSchema(document, options: .init(formatAssertion: true))
            let annotating = try JSONSchema(document)
            for example in valid {
                #expect(asserting.isValid(.string(example)), "\(format): \"\(example)\" should be valid")
            }
            for example in invalid {
                #expect(!asserting.isValid(.string(example)), "\(format): \"\(example)\" should be invalid")
                #expect(annotating.isValid(.string(example)), "\(format) without assertion: \"\(example)\"")
            }
            // Formats only constrain strings.
            #expect(asserting.isValid(12))
            #expect(asserting.isValid(nil))
        }
        let errors = try JSONSchema(["format": "ipv4"], options: .init(formatAssertion: true)).validate("1.2.3").errors
        #expect(errors.map(\.description) == [#"/: "1.2.3" is not a valid ipv4"#])
        #expect(errors.map(\.keywordLocation) == ["/format"])
        // An unknown format is never an assertion.
        #expect(try JSONSchema(["format": "x-custom"], options: .init(formatAssertion: true)).isValid("anything"))
    }
}
