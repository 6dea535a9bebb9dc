import GraphQL
import OrderedCollections
import Logging
import Testing

@testable import GraphQLHTTP

/// The handler without a transport: a schema with a resolver per behaviour under test.
@Suite struct GraphQLHTTPHandlerTests {
    struct Boom: Error { let secret = "db password is hunter2" }

    static let schema: GraphQLSchema = {
        let query = try! GraphQLObjectType(
            name: "Query",
            fields: [
                "hello": GraphQLField(type: GraphQLNonNull(GraphQLString)) { _, _, _, _ in "Hello, world!" },
                "boom": GraphQLField(type: GraphQLString) { _, _, _, _ in throw Boom() },
                "mustNotBeNull": GraphQLField(type: GraphQLNonNull(GraphQLString)) { _, _, _, _ in throw Boom() },
                "forbidden": GraphQLField(type: GraphQLString) { _, _, _, info in
                    throw GraphQLError(message: "No", path: info.path, extensions: ["code": "FORBIDDEN"])
                },
                "echo": GraphQLField(
                    type: GraphQLString,
                    args: ["value": GraphQLArgument(type: GraphQLNonNull(GraphQLInt))]
                ) { _, args, _, _ in "\(args["value"].int ?? -1)" },
                "numbers": GraphQLField(
                    type: GraphQLList(GraphQLInt),
                    args: ["first": GraphQLArgument(type: GraphQLInt)]
                ) { _, args, _, _ in Array(0..<(args["first"].int ?? 3)) },
            ]
        )
        let mutation = try! GraphQLObjectType(
            name: "Mutation",
            fields: ["touch": GraphQLField(type: GraphQLBoolean) { _, _, _, _ in true }]
        )
        return try! GraphQLSchema(query: query, mutation: mutation)
    }()

    func handler(_ configure: (inout GraphQLHTTPConfiguration) -> Void = { _ in }) -> GraphQLHTTPHandler {
        var configuration = GraphQLHTTPConfiguration()
        configure(&configuration)
        return GraphQLHTTPHandler(schema: Self.schema, configuration: configuration, logger: Logger(label: "test"))
    }

    func post(_ body: String, accept: String? = nil, to handler: GraphQLHTTPHandler? = nil) async -> (Int, String) {
        let request = HTTPRequest(method: "POST", contentType: "application/json", accept: accept, body: Array(body.utf8))
        let response = await (handler ?? self.handler()).handle(request, requestID: "test", context: ())
        return (response.status, String(decoding: response.body, as: UTF8.self))
    }

    /// `@include(if: $v)` given null fails while the fields under an object are collected: the client's input, not
    /// the server's fault (the document fuzzer found it answered INTERNAL_SERVER_ERROR).
    @Test func aNullDirectiveConditionIsTheClientsInput() async {
        let inner = try! GraphQLObjectType(name: "Inner", fields: ["value": GraphQLField(type: GraphQLInt) { _, _, _, _ in 1 }])
        let query = try! GraphQLObjectType(name: "Query", fields: ["inner": GraphQLField(type: inner) { _, _, _, _ in "x" }])
        let nested = GraphQLHTTPHandler(schema: try! GraphQLSchema(query: query), configuration: .init(), logger: Logger(label: "test"))
        let body = #"{"query":"query($v: Boolean = true) { inner { value @include(if: $v) } }","variables":{"v":null}}"#
        let (status, answer) = await post(body, to: nested)
        #expect(status == 200)
        #expect(answer.contains(#""code":"BAD_USER_INPUT""#) && !answer.contains("INTERNAL_SERVER_ERROR"))
    }

    @Test func aListSizeFromAVariableIsCostedPerRequest() async {
        let limited = handler { $0.limits.maxCost = 100 }
        let query = #""query":"query($n: Int) { numbers(first: $n) }""#
        let (status, body) = await post("{\(query),\"variables\":{\"n\":5}}", to: limited)
        #expect(status == 200 && body == #"{"data":{"numbers":[0,1,2,3,4]}}"#)
        let (refusedStatus, refused) = await post("{\(query),\"variables\":{\"n\":1000}}", accept: "application/graphql-response+json", to: limited)
        #expect(refusedStatus == 400)
        #expect(refused.contains(#""code":"MAX_COST_EXCEEDED","cost":1000,"maxCost":100"#))
        #expect(!refused.contains(#""data""#))
    }

    @Test func batchesAreOffByDefaultAndBoundedWhenOn() async {
        let batch = #"[{"query":"{ hello }"},{"query":"{ echo(value: 2) }"},{"query":"{ nope }"},7]"#
        let (offStatus, off) = await post(batch, accept: "application/graphql-response+json")
        #expect(offStatus == 400 && off.contains("not enabled"))

        let batching = handler { $0.maxBatchSize = 4 }
        let (status, body) = await post(batch, to: batching)
        #expect(status == 200)
        #expect(body.hasPrefix(#"[{"data":{"hello":"Hello, world!"}},{"data":{"echo":"2"}},{"errors":[{"message":"Cannot query field"#))
        #expect(body.hasSuffix(#"{"errors":[{"message":"Each entry of a batch must be a JSON object","extensions":{"code":"BAD_REQUEST"}}]}]"#))

        let tooMany = "[" + Array(repeating: #"{"query":"{ hello }"}"#, count: 5).joined(separator: ",") + "]"
        let (refusedStatus, refused) = await post(tooMany, accept: "application/graphql-response+json", to: batching)
        #expect(refusedStatus == 400 && refused.contains(#""code":"BATCH_TOO_LARGE""#))
        let (emptyStatus, _) = await post("[]", accept: "application/graphql-response+json", to: batching)
        #expect(emptyStatus == 400)
    }

    @Test func executesAQuery() async {
        let (status, body) = await post(#"{"query":"{ hello }"}"#)
        #expect(status == 200)
        #expect(body == #"{"data":{"hello":"Hello, world!"}}"#)
    }

    @Test func masksErrorsThatAreNotGraphQLErrors() async {
        let (status, body) = await post(#"{"query":"{ boom hello }"}"#)
        #expect(status == 200)
        #expect(body.contains(#""message":"Internal server error""#))
        #expect(body.contains(#""code":"INTERNAL_SERVER_ERROR""#))
        #expect(body.contains(#""path":["boom"]"#))
        #expect(!body.contains("hunter2") && !body.contains("Boom"))
        #expect(body.contains(#""data":{"boom":null,"hello":"Hello, world!"}"#))
    }

    @Test func aNullRootFieldMakesDataNullNotAbsent() async {
        let (status, body) = await post(#"{"query":"{ mustNotBeNull }"}"#, accept: "application/graphql-response+json")
        #expect(status == 200)
        #expect(body.hasSuffix(#""data":null}"#))
    }

    @Test func keepsTheCodeAResolverChose() async {
        let (_, body) = await post(#"{"query":"{ forbidden }"}"#)
        #expect(body.contains(#""code":"FORBIDDEN""#))
    }

    @Test func variableCoercionFailureIsARequestError() async {
        let body = #"{"query":"query($v: Int!){ echo(value: $v) }","variables":{"v":"x"}}"#
        let (jsonStatus, jsonBody) = await post(body)
        #expect(jsonStatus == 200)
        #expect(jsonBody.contains(#""code":"BAD_USER_INPUT""#) && !jsonBody.contains("data"))
        let (status, _) = await post(body, accept: "application/graphql-response+json")
        #expect(status == 400)
        let (draftStatus, _) = await post(body, accept: "application/graphql-response+json", to: handler { $0.statusCodePolicy = .draft2026 })
        #expect(draftStatus == 422)
    }

    @Test func unknownOperationNameIsARequestError() async {
        let (status, body) = await post(#"{"query":"query A { hello }","operationName":"B"}"#, accept: "application/graphql-response+json")
        #expect(status == 400)
        #expect(body.contains("OPERATION_RESOLUTION_FAILURE"))
    }

    @Test func selectsTheNamedOperation() async {
        let (_, body) = await post(#"{"query":"query A { hello } query B { echo(value: 7) }","operationName":"B"}"#)
        #expect(body == #"{"data":{"echo":"7"}}"#)
    }

    @Test func mutationsRunOverPostButNotGet() async {
        let (status, body) = await post(#"{"query":"mutation { touch }"}"#)
        #expect(status == 200 && body == #"{"data":{"touch":true}}"#)
        let get = HTTPRequest(method: "GET", queryString: "query=mutation%20%7B%20touch%20%7D")
        let response = await handler().handle(get, requestID: "t", context: ())
        #expect(response.status == 405)
        #expect(response.header("Allow") == "POST")
    }

    @Test func documentsAreParsedOnceAndCounted() async {
        let handler = handler()
        for _ in 0..<5 { _ = await post(#"{"query":"{ hello }"}"#, to: handler) }
        let statistics = handler.documents.statistics
        #expect(statistics.misses == 1)
        #expect(statistics.hits == 4)
        #expect(statistics.entries == 1)
    }

    @Test func bodyOverTheLimitIs413() async {
        let request = HTTPRequest(method: "POST", contentType: "application/json", bodyExceededLimit: true)
        let response = await handler().handle(request, requestID: "t", context: ())
        #expect(response.status == 413)
    }
}
