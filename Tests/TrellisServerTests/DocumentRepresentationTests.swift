import Foundation
import Testing
import TrellisJSON
import TrellisStorageCapability

@testable import TrellisEndpoints

/// How a stored document is written on the wire: the fast serializer against the general one,
/// and the timestamps against the milliseconds stored.
@Suite struct DocumentRepresentationTests {
    static func document(_ body: JSONValue, id: String = "item-0500", version: Int = 1, milliseconds: Int64 = 1_763_759_086_995)
        -> Document
    {
        let date = Date(timeIntervalSince1970: Double(milliseconds) / 1000)
        return Document(id: id, createdAt: date, updatedAt: date.addingTimeInterval(0.25), version: version, body: body)
    }

    @Test(arguments: [
        #"{"name":"Item 500","price":500.5}"#,
        #"{}"#,
        #"{"zeta":1,"alpha":{"y":[1,2.5,"x"],"b":null},"mid":"é\n\"\\\u0001"}"#,
        #"{"title":"Milk","id":"other","version":7,"created_at":"x","updated_at":null,"done":true}"#,
        #"{"version":2}"#,
        #"[1,2,3]"#,
        #""text""#,
        #"null"#,
    ])
    func theFastSerializerWritesTheBytesOfTheGeneralOne(body: String) throws {
        for (id, version) in [("item-0500", 1), ("a\"b\\c é", 123_456_789), ("", 0)] {
            let document = Self.document(try JSONValue(parsing: body), id: id, version: version)
            let general = DocumentRepresentation.json(document).serializedBytes()
            #expect(DocumentRepresentation.serializedBytes(document) == general)
        }
    }

    @Test func aStoredDocumentReadsAsBefore() throws {
        let document = Self.document(try JSONValue(parsing: #"{"name":"Item 500","price":500.5}"#))
        #expect(
            String(decoding: DocumentRepresentation.serializedBytes(document), as: UTF8.self)
                == #"{"id":"item-0500","name":"Item 500","price":500.5,"created_at":"2025-11-21T21:04:46.995Z","updated_at":"2025-11-21T21:04:47.245Z","version":1}"#
        )
    }

    @Test func timestampsShowTheStoredMillisecond() {
        // Foundation's ISO8601FormatStyle wrote these one millisecond early.
        #expect(DocumentRepresentation.timestamp(Date(timeIntervalSince1970: 1_763_759_086.001)) == "2025-11-21T21:04:46.001Z")
        #expect(DocumentRepresentation.timestamp(Date(timeIntervalSince1970: 1_763_759_086.004)) == "2025-11-21T21:04:46.004Z")
        #expect(DocumentRepresentation.timestamp(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
        #expect(DocumentRepresentation.timestamp(Date(timeIntervalSince1970: -0.001)) == "1969-12-31T23:59:59.999Z")
        #expect(DocumentRepresentation.timestamp(Date(timeIntervalSince1970: 951_782_400)) == "2000-02-29T00:00:00.000Z")
        #expect(DocumentRepresentation.timestamp(Date(timeIntervalSince1970: 253_402_300_799.999)) == "9999-12-31T23:59:59.999Z")
    }

    /// Every millisecond over two seconds, and random ones from 1900 to 2100, against whole
    /// seconds formatted by Foundation (exact there) plus the milliseconds.
    @Test func timestampsMatchFoundationAtWholeSecondsPlusTheMilliseconds() {
        let wholeSeconds = Date.ISO8601FormatStyle()
        var generator = SystemRandomNumberGenerator()
        let samples =
            (0..<2000).map { 1_763_759_086_000 + Int64($0) }
            + (0..<20_000).map { _ in Int64.random(in: -2_208_988_800_000...4_102_444_800_000, using: &generator) }
        for milliseconds in samples {
            var seconds = milliseconds / 1000
            var millisecond = milliseconds % 1000
            if millisecond < 0 {
                seconds -= 1
                millisecond += 1000
            }
            var expected = Date(timeIntervalSince1970: Double(seconds)).formatted(wholeSeconds)
            expected.removeLast()  // "Z"
            expected += "." + String(repeating: "0", count: 3 - String(millisecond).count) + String(millisecond) + "Z"
            let date = Date(timeIntervalSince1970: Double(milliseconds) / 1000)
            #expect(DocumentRepresentation.timestamp(date) == expected, "\(milliseconds) ms")
            if DocumentRepresentation.timestamp(date) != expected { return }
        }
    }
}
