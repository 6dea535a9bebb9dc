import GraphQL
import Testing

@testable import GraphQLHTTP

@Suite struct RequestDecodingTests {
    @Test(arguments: [
        ("application/graphql-response+json", ResponseMediaType.graphQLResponse),
        ("application/json", .json),
        ("*/*", .json),
        ("", .json),
        ("application/graphql-response+json;q=0.1, application/json;q=0.2", .json),
        ("text/html, application/graphql-response+json;q=0.8", .graphQLResponse),
    ])
    func negotiatesTheResponseType(accept: String, expected: ResponseMediaType) {
        #expect(ResponseMediaType.negotiate(accept: accept) == expected)
    }

    @Test func refusesWhenNothingAcceptableIsOffered() {
        #expect(ResponseMediaType.negotiate(accept: "text/html, application/xml") == nil)
        #expect(ResponseMediaType.negotiate(accept: "application/json;q=0") == nil)
    }

    @Test func decodesGetParameters() throws {
        let request = HTTPRequest(
            method: "GET",
            queryString: "query=query+Q(%24a%3A+Int)+%7B+x+%7D&operationName=Q&variables=%7B%22a%22%3A1%7D&extensions="
        )
        let parameters = try GraphQLRequestParameters.decode(from: request)
        #expect(parameters.query == "query Q($a: Int) { x }")
        #expect(parameters.operationName == "Q")
        #expect(parameters.variables == ["a": .number(Number(1))])
        #expect(parameters.extensions.isEmpty)
    }

    @Test func refusesRepeatedGetParameters() {
        #expect(throws: RequestError.self) {
            try GraphQLRequestParameters.decode(from: HTTPRequest(method: "GET", queryString: "query=a&query=b"))
        }
    }

    @Test(arguments: ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"])
    func refusesPostsABrowserCouldSendCrossSite(contentType: String) {
        let request = HTTPRequest(method: "POST", contentType: contentType, body: Array(#"{"query":"{x}"}"#.utf8))
        #expect(throws: RequestError.self) { try GraphQLRequestParameters.decode(from: request) }
    }

    func depth(_ source: String) -> Int { DocumentScan.scan(source, maxDepth: 64, maxTokens: .max).depth }
    func tokens(_ source: String) -> Int { DocumentScan.scan(source, maxDepth: .max, maxTokens: .max).tokens }

    @Test func scanSkipsStringsAndCommentsWhenMeasuringNesting() {
        #expect(depth("{ a { b } }") == 2)
        #expect(depth(#"{ a(s: "{{{{") }"#) == 2)
        #expect(depth("{ a # {{{{\n }") == 1)
        #expect(depth(#"{ a(s: """ \""" {{{ """) }"#) == 2)
        #expect(depth(String(repeating: "{", count: 100_000)) == 65)
    }

    @Test func scanCountsTokensAsTheLexerDoes() {
        #expect(tokens("{ hello }") == 3)
        #expect(tokens("query Q($v: Int = -1.5e+3) { a: f(x: $v, y: \"s t\") ...F }") == 26)
        #expect(tokens("# only a comment\n") == 0)
        #expect(tokens(#"{ f(s: """ many words here """) }"#) == 8)
    }

    @Test func scanStopsEarlyPastTheTokenLimit() {
        let huge = "{ " + String(repeating: "a ", count: 200_000) + "}"
        #expect(DocumentScan.scan(huge, maxDepth: 64, maxTokens: 5_000).tokens == 5_001)
    }
}
