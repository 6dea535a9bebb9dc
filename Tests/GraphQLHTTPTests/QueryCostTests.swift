import GraphQL
import GraphQLEngine
import Testing

@testable import GraphQLHTTP

@Suite struct QueryCostTests {
    static let schema = try! buildSchema(
        source: """
            type Query { hello: String users(first: Int): [User!]! node: Node search: [Result] matrix: [[Int]] }
            interface Node { id: ID! }
            type User implements Node { id: ID! name: String friends(first: Int): [User!]! }
            type Post { title: String }
            union Result = User | Post
            """
    )
    static let fields = SchemaFieldTypes(schema: schema)

    func cost(_ query: String, variables: [String: Map]? = nil) -> (cost: Int, usesVariables: Bool) {
        let document = try! parse(source: query)
        let operation = document.definitions.compactMap { $0 as? OperationDefinition }[0]
        var estimate = CostEstimate(document: document, fields: Self.fields, weights: CostWeights(), variables: variables)
        return (estimate.cost(of: operation), estimate.usesVariables)
    }

    @Test func scalarsWeighOneObjectsTwo() {
        #expect(cost("{ hello }").cost == 1)
        #expect(cost("{ node { id } }").cost == 2 + 1)
        #expect(cost("{ __typename hello }").cost == 2)
    }

    @Test func listsMultiplyByTheirSizeArgumentOrTheDefault() {
        #expect(cost("{ users(first: 3) { id name } }").cost == 3 * (2 + 2))
        #expect(cost("{ users { id } }").cost == 10 * (2 + 1))
        #expect(cost("{ users(first: 5) { friends(first: 4) { id } } }").cost == 5 * (2 + 4 * (2 + 1)))
        #expect(cost("{ matrix }").cost == 10 * 10 * 1)
    }

    @Test func fragmentsInlineFragmentsAndUnionsAreFollowed() {
        let query = "{ search { ... on User { ...U } ... on Post { title } } } fragment U on User { id name }"
        #expect(cost(query).cost == 10 * (2 + 2 + 1))
    }

    @Test func aVariableSizeTakesTheRequestValueOrItsDefault() {
        let query = "query($n: Int = 7) { users(first: $n) { id } }"
        #expect(cost(query) == (7 * 3, true))
        #expect(cost(query, variables: ["n": .number(100)]).cost == 100 * 3)
        #expect(cost(query, variables: ["n": .number(1e30)]).cost == Int.max)
    }

    @Test func negativeSizesCountAsZeroAndNeverTrap() {
        let query = "query($n: Int = -7) { users(first: $n) { id } }"
        #expect(cost(query).cost == 0)
        #expect(cost(query, variables: ["n": .number(-1e300)]).cost == 0)
        #expect(cost(query, variables: ["n": .number(Number(-Double.infinity))]).cost == 0)
    }

    @Test func overflowSaturates() {
        #expect(cost("{ users(first: 2000000000) { friends(first: 2000000000) { friends(first: 2000000000) { id } } } }").cost == Int.max)
    }

    @Test func theLimitRefusesAtPrepareTimeOrPerRequest() {
        var limits = QueryLimits()
        limits.maxCost = 100
        let fixed = PreparedDocument.prepare(query: "{ users(first: 50) { id } }", schema: Self.schema, maxNesting: 64, limits: limits)
        guard case .rejected(let errors) = fixed.outcome else { Issue.record("not refused"); return }
        #expect(errors.map(\.code) == [QueryLimits.Code.cost])
        #expect(errors[0].message == "The operation has an estimated cost of 150; the limit is 100")

        let variable = PreparedDocument.prepare(
            query: "query($n: Int) { users(first: $n) { id } }", schema: Self.schema, maxNesting: 64, limits: limits)
        guard case .valid(let document) = variable.outcome else { Issue.record("refused"); return }
        #expect(variable.costDependsOnVariables)
        let check = limits.costViolations(in: document, fields: Self.fields, variables: ["n": .number(50)])
        #expect(check.errors.map(\.code) == [QueryLimits.Code.cost])
        #expect(limits.costViolations(in: document, fields: Self.fields, variables: ["n": .number(5)]).errors.isEmpty)
    }
}
