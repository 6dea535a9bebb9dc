import GraphQL
import GraphQLEngine
import Testing

@testable import GraphQLHTTP

/// The work an invalid document buys: GraphQLSwift locates each validation error by scanning the whole document,
/// so errors × size is what `DocumentValidation` bounds (1,500 errors in 1 MB took 7 s before).
@Suite struct DocumentValidationTests {
    static let schema = try! buildSchema(source: "type Query { node(id: ID): Node hello: String } type Node { id: String }")

    func errors(_ query: String) -> [GraphQLError] {
        let prepared = PreparedDocument.prepare(query: query, schema: Self.schema, maxNesting: 64, limits: QueryLimits())
        guard case .rejected(let errors) = prepared.outcome else { return [] }
        return errors
    }

    func unknownArguments(_ count: Int, padding: Int = 0) -> String {
        "{ node(" + (0..<count).map { "a\($0): 1" }.joined(separator: " ") + ") { id } }\n#"
            + String(repeating: "x", count: padding)
    }

    @Test func aSmallInvalidDocumentKeepsItsLocations() {
        let found = errors("{\n  node(a0: 1) { id }\n  nope\n}")
        #expect(found.count == 2)
        #expect(found.map(\.locations) == [[SourceLocation(line: 2, column: 8)], [SourceLocation(line: 3, column: 3)]])
        #expect(found.allSatisfy { $0.code == ErrorCode.validationFailed })
    }

    @Test func aLargeDocumentWithFewErrorsKeepsItsLocations() {
        let found = errors(unknownArguments(3, padding: 200_000))
        #expect(found.count == 3)
        #expect(found.map(\.locations) == (0..<3).map { [SourceLocation(line: 1, column: 8 + 6 * $0)] })
    }

    @Test func manyErrorsAreCappedAtAHundredAndGoUnlocatedPastTheBudget() {
        let found = errors(unknownArguments(1_500, padding: 900_000))
        #expect(found.count == DocumentValidation.maxErrors + 1)
        let last = found.last?.message ?? ""
        #expect(last == "Too many validation errors, error limit reached. Validation aborted.")
        #expect(found.last?.code == ErrorCode.validationFailed)
        #expect(found.allSatisfy { $0.locations.isEmpty })
    }

    @Test func errorsOfOurOwnRulesReadTheirLocationsFromTheTokens() {
        let found = errors("query Q { hello }\n\n  query Q { hello }")
        #expect(found.map(\.locations) == [[SourceLocation(line: 1, column: 7), SourceLocation(line: 3, column: 9)]])
    }

    @Test func unknownAndUnusedFragmentsAreRefusedBeforeTheValidator() {
        let found = errors("{ node { ...Known ...Missing } }\nfragment Known on Node { id }\nfragment Spare on Node { ...Gone }")
        #expect(found.map(\.message) == [
            #"Unknown fragment "Missing"."#, #"Unknown fragment "Gone"."#, #"Fragment "Spare" is never used."#,
        ])
        #expect(found.map(\.locations) == [
            [SourceLocation(line: 1, column: 22)], [SourceLocation(line: 3, column: 29)], [SourceLocation(line: 3, column: 1)],
        ])
        // A fragment reached only through another fragment, and a cycle reached from no operation.
        #expect(errors("{ node { ...A } } fragment A on Node { ...B } fragment B on Node { id }").isEmpty)
        let cycle = errors("{ hello } fragment C on Node { ...D } fragment D on Node { ...C }")
        #expect(cycle.map(\.message) == [#"Fragment "C" is never used."#, #"Fragment "D" is never used."#])
    }
}
