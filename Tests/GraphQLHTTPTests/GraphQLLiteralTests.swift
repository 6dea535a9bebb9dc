import GraphQL
import Testing

@testable import GraphQLEngine
@testable import GraphQLHTTP

/// Default values of schemas built in code, written as GraphQL literals (introspection, `schema print`).
@Suite struct GraphQLLiteralTests {
    @Test func scalarsListsAndStrings() throws {
        #expect(try GraphQLLiteral.text(of: .number(10), as: GraphQLInt) == "10")
        #expect(try GraphQLLiteral.text(of: .number(2.5), as: GraphQLFloat) == "2.5")
        // Too large for an exact integer: written as a float, never through a trapping Int64 conversion.
        #expect(try GraphQLLiteral.text(of: .number(1e20), as: GraphQLFloat) == "1e+20")
        #expect(try GraphQLLiteral.text(of: .array([.string("a"), .null]), as: GraphQLList(GraphQLString)) == #"["a", null]"#)
        #expect(try GraphQLLiteral.text(of: .string("say \"hi\"\n"), as: GraphQLNonNull(GraphQLString)) == #""say \"hi\"\n""#)
        #expect(try GraphQLLiteral.text(of: .string("7"), as: GraphQLID) == "7")
    }
}
