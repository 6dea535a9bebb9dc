import FastCGI
import GraphQLHTTP
import Logging
import Testing

@testable import Server

@Suite struct RequestPipelineTests {
    func pipeline() throws -> RequestPipeline {
        let loaded = try SchemaLoader.build(sdl: "type Query { hello: String! }", resolvers: .builtIn)
        return RequestPipeline(
            graphQL: GraphQLHTTPHandler(schema: loaded.schema, resolvers: loaded.resolvers, configuration: .init(), logger: Logger(label: "t"))
        )
    }

    @Test func mapsCGIParametersAndAddsTheRequestID() async throws {
        let request = FastCGIRequest(
            parameters: [
                "REQUEST_METHOD": "GET", "QUERY_STRING": "query=%7Bhello%7D",
                "HTTP_ACCEPT": "application/graphql-response+json", "REQUEST_ID": "0123456789abcdef0123456789abcdef",
            ]
        )
        let response = try await pipeline().respond(to: request)
        #expect(response.status == 200)
        #expect(String(decoding: response.body, as: UTF8.self) == #"{"data":{"hello":"Hello, world!"}}"#)
        #expect(response.headers.contains { $0.name == "X-Request-Id" && $0.value == "0123456789abcdef0123456789abcdef" })
        #expect(response.headers.contains { $0.name == "Content-Type" && $0.value.hasPrefix("application/graphql-response+json") })
    }

    @Test func replacesAnUnsafeRequestIDFromUpstream() {
        let generated = RequestID.from(nginx: "evil\r\nSet-Cookie: x")
        #expect(generated.count == 32)
        #expect(generated.allSatisfy { $0.isHexDigit })
    }
}
