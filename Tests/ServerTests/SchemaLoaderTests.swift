import GraphQL
import GraphQLHTTP
import Logging
import Testing

@testable import Server

@Suite struct SchemaLoaderTests {
    @Test func bindsResolversByTypeAndFieldName() async throws {
        var resolvers = ResolverRegistry()
        resolvers.bindValue("Query.hello") { "hi" }
        resolvers.bindValue("Query.answer") { 42 }
        let schema = try SchemaLoader.build(sdl: "type Query { hello: String! answer: Int }", resolvers: resolvers).schema
        let result = try await graphql(schema: schema, request: "{ hello answer }")
        #expect(result.data == ["hello": "hi", "answer": 42])
    }

    @Test func refusesAResolverForAFieldTheSDLLacks() {
        var resolvers = ResolverRegistry.builtIn
        resolvers.bindValue("Query.goodbye") { "bye" }
        resolvers.bindValue("Mutation.nothing") { nil }
        #expect {
            try SchemaLoader.build(sdl: "type Query { hello: String! }", resolvers: resolvers)
        } throws: { error in
            "\(error)".contains("Mutation.nothing, Query.goodbye")
        }
    }

    @Test func refusesARootFieldWithoutAResolver() {
        #expect {
            try SchemaLoader.build(
                sdl: "type Query { hello: String! stats: Int } type Mutation { reset: Boolean }",
                resolvers: .builtIn
            )
        } throws: { error in
            "\(error)".contains("root fields without a resolver: Mutation.reset, Query.stats")
        }
    }

    @Test func reportsInvalidSDL() {
        #expect {
            try SchemaLoader.build(sdl: "type Query { hello: Missing }", resolvers: .builtIn, origin: "bad.graphql")
        } throws: { error in
            "\(error)".hasPrefix("bad.graphql: invalid")
        }
    }

    @Test func fieldsOfOwnTypesUseDefaultResolutionWithoutABinding() async throws {
        var resolvers = ResolverRegistry()
        resolvers.bindValue("Query.me") { ["name": "Ada"] as [String: any Sendable] }
        let schema = try SchemaLoader.build(sdl: "type Query { me: User } type User { name: String }", resolvers: resolvers).schema
        let result = try await graphql(schema: schema, request: "{ me { name } }")
        #expect(result.data == ["me": ["name": "Ada"]])
    }

    @Test func aGraphQLErrorFromAResolverGetsItsPathAndLocation() async throws {
        var resolvers = ResolverRegistry()
        resolvers.bind("Query.hello") { _, _, _, _ in throw GraphQLError(message: "nope", extensions: ["code": "FORBIDDEN"]) }
        let schema = try SchemaLoader.build(sdl: "type Query { hello: String }", resolvers: resolvers).schema
        let result = try await graphql(schema: schema, request: "{ hello }")
        #expect(result.errors.first?.path.elements == [.key("hello")])
        #expect(result.errors.first?.locations == [SourceLocation(line: 1, column: 3)])
        #expect(result.errors.first?.extensions["code"] == "FORBIDDEN")
    }

    /// Through the plan executor: synchronous and asynchronous bindings, a type resolver for an SDL interface, and
    /// `@auth` on a synchronously resolved field (the guard makes it asynchronous).
    @Test func bindingsServeThePlanExecutor() async throws {
        struct Cat: Sendable { let name: String }
        var resolvers = ResolverRegistry()
        resolvers.bindSynchronous("Query.pet") { _, _, _, _ in Cat(name: "Tom") }
        resolvers.bind("Query.later") { _, arguments, _, _ in
            await Task.yield()
            return "later \(arguments["n"].int ?? 0)"
        }
        resolvers.bindSynchronous("Query.secret") { _, _, _, _ in "s3cret" }
        resolvers.bindType("Pet") { value, _ in value is Cat ? "Cat" : nil }
        let loaded = try SchemaLoader.build(
            sdl: "type Query { pet: Pet later(n: Int): String secret: String @auth } interface Pet { name: String } type Cat implements Pet { name: String }",
            resolvers: resolvers,
            authGuard: { _ in throw AccountErrors.unauthenticated() }
        )
        let handler = GraphQLHTTPHandler(schema: loaded.schema, resolvers: loaded.resolvers, configuration: .init(), logger: Logger(label: "t"))
        let response = await handler.execute(GraphQLRequestParameters(query: "{ pet { __typename name } later(n: 2) secret }"), context: ())
        let body = String(decoding: response.body, as: UTF8.self)
        #expect(body.hasSuffix(#""data":{"pet":{"__typename":"Cat","name":"Tom"},"later":"later 2","secret":null}}"#))
        #expect(body.contains(#""path":["secret"]"#) && body.contains("UNAUTHENTICATED"))
    }
}
