import GraphQL
import Testing

@testable import GraphQLEngine
@testable import GraphQLHTTP

/// The planner's work is bounded whatever the document: fragments are collected once per selection, and an
/// abstract type planned for every possible type stops at `OperationPlanner.maxFieldPlans`.
@Suite struct PlannerBoundsTests {
    /// `Node` has twelve implementations, each with a `parent: Node`: every level multiplies the plans by twelve.
    static let schema: GraphQLSchema = {
        let implementations = (0..<12).map { "type T\($0) implements Node { id: ID parent: Node }" }
        return try! buildSchema(source: "type Query { node: Node } interface Node { id: ID parent: Node } " + implementations.joined(separator: " "))
    }()

    func plan(_ query: String) -> Result<OperationPlan, OperationPlanner.Unplannable> {
        let document = try! parse(source: query)
        let operation = document.definitions.compactMap { $0 as? OperationDefinition }[0]
        return Result { () throws(OperationPlanner.Unplannable) in
            try OperationPlanner.plan(operation, in: document, schema: Self.schema, resolvers: Resolvers(), variables: nil)
        }
    }

    @Test func nestedAbstractTypesStopAtTheBudget() {
        let deep = "{ node " + String(repeating: "{ parent ", count: 6) + "{ id }" + String(repeating: " }", count: 6) + " }"
        guard case .failure(.tooLarge) = plan(deep) else { Issue.record("12^7 field plans were built"); return }
        guard case .success = plan("{ node { parent { id } } }") else { Issue.record("a small abstract plan was refused"); return }
    }

    /// The diamond `Ak { ...Ak-1 ...Bk-1 }`: with one visited set per collection each fragment is walked once.
    @Test func aFragmentDiamondIsCollectedOncePerFragment() {
        var query = "{ node { ...A30 } } fragment A0 on Node { __typename } fragment B0 on Node { id }"
        for level in 1...30 {
            for name in ["A", "B"] { query += " fragment \(name)\(level) on Node { ...A\(level - 1) ...B\(level - 1) }" }
        }
        guard case .success(let plan) = plan(query) else { Issue.record("not planned"); return }
        guard case .abstract(let node) = plan.root.fields[0].completion else { Issue.record("node is not abstract"); return }
        #expect(node.selections["T0"]?.fields.map(\.responseKey) == ["__typename", "id"])
    }
}
