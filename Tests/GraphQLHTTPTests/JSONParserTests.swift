import GraphQL
import OrderedCollections
import Testing

@testable import GraphQLEngine
@testable import GraphQLHTTP

@Suite struct JSONParserTests {
    @Test func parsesEveryKindOfValueInOrder() throws {
        let value = try JSONParser.parse(#" {"b": [1, -2.5e2, true, false, null], "a": "x\u00e9\n\ud83c\udfc3"} "#)
        guard case .dictionary(let object) = value else {
            Issue.record("not an object")
            return
        }
        #expect(Array(object.keys) == ["b", "a"])
        #expect(object["a"] == .string("xé\n🏃"))
        #expect(object["b"] == .array([.number(Number(1)), .number(Number(-250.0)), .bool(true), .bool(false), .null]))
    }

    @Test(arguments: [
        "", "{", "{\"a\":}", "[1,]", "{\"a\" 1}", "01", "1.", "-", "tru", "\"\\x\"", "\"a", "{} x", "\"\u{01}\"",
        "\"\\ud800\"", "1e999",
    ])
    func rejectsMalformedJSON(_ text: String) {
        #expect(throws: JSONParser.Error.self) { try JSONParser.parse(text) }
    }

    @Test func rejectsInvalidUTF8() {
        #expect(throws: JSONParser.Error.self) { try JSONParser.parse([0x22, 0xC3, 0x28, 0x22]) }
    }

    @Test func refusesNestingPastTheLimitWithoutRecursingFurther() throws {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONParser.Error.self) { try JSONParser.parse(deep, maxDepth: 64) }
        let fine = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        _ = try JSONParser.parse(fine, maxDepth: 64)
    }

    @Test func writerRoundTripsThroughTheParser() throws {
        let source = #"{"z":[1,2.5,"q\"\\\n\u0001"],"a":{"b":null,"c":true}}"#
        var writer = JSONWriter()
        writer.map(try JSONParser.parse(source))
        #expect(String(decoding: writer.bytes, as: UTF8.self) == source)
    }
}
