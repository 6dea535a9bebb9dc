import GraphQL
import Testing

@testable import Server

@Suite struct AuthDirectiveTests {
    struct SignedIn: Sendable { let yes: Bool }

    func schema() throws -> GraphQLSchema {
        var resolvers = ResolverRegistry()
        resolvers.bindValue("Query.profile") { ["name": "Ada", "salary": 100] as [String: any Sendable] }
        return try SchemaLoader.build(
            sdl: "type Query { profile: Profile } type Profile { name: String salary: Int @auth }",
            resolvers: resolvers,
            authGuard: { context in
                guard (context as? SignedIn)?.yes == true else { throw AccountErrors.unauthenticated() }
            }
        ).schema
    }

    @Test func guardsAFieldOfTheOwnersTypeWithoutAResolver() async throws {
        let anonymous = try await graphql(schema: schema(), request: "{ profile { name salary } }", context: SignedIn(yes: false))
        #expect(anonymous.data == ["profile": ["name": "Ada", "salary": nil]])
        #expect(anonymous.errors.map { $0.extensions["code"] } == ["UNAUTHENTICATED"])
        #expect(anonymous.errors.first?.path.elements == [.key("profile"), .key("salary")])

        let signedIn = try await graphql(schema: schema(), request: "{ profile { name salary } }", context: SignedIn(yes: true))
        #expect(signedIn.data == ["profile": ["name": "Ada", "salary": 100]])
        #expect(signedIn.errors.isEmpty)
    }

    @Test func theDirectiveIsDeclaredWhenTheSDLOnlyUsesIt() throws {
        _ = try schema()  // the SDL above never declares `directive @auth`
    }
}
