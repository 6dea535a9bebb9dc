import GraphQL
import GraphQLEngine
import Logging
import Testing

@testable import GraphQLHTTP

@Suite struct QueryLimitsTests {
    static let schema = try! buildSchema(source: "type Query { node: Node hello: String } type Node { id: String child: Node }")

    func codes(_ query: String, _ configure: (inout QueryLimits) -> Void = { _ in }) -> [String] {
        var limits = QueryLimits()
        configure(&limits)
        let prepared = PreparedDocument.prepare(query: query, schema: Self.schema, maxNesting: 64, limits: limits)
        guard case .rejected(let errors) = prepared.outcome else { return [] }
        return errors.compactMap(\.code)
    }

    @Test func depthCountsThroughFragmentsAndInlineFragments() {
        let query = "{ node { child { ...F } } } fragment F on Node { child { ... on Node { child { id } } } }"
        #expect(codes(query) { $0.maxDepth = 5 } == [])
        #expect(codes(query) { $0.maxDepth = 4 } == [QueryLimits.Code.depth])
    }

    @Test func aliasesCountEverySpreadOfAFragment() {
        let query = "{ node { ...A ...A2 } } fragment A on Node { a: id b: id } fragment A2 on Node { ...A c: id }"
        #expect(codes(query) { $0.maxAliases = 5 } == [])
        #expect(codes(query) { $0.maxAliases = 4 } == [QueryLimits.Code.aliases])
    }

    @Test func aFragmentBombIsMeasuredWithoutBeingExpanded() {
        // Each level spreads the one below twice: 2^40 aliases if expanded.
        var query = "{ ...F0 } fragment F40 on Query { a: hello }"
        for level in 0..<40 { query += " fragment F\(level) on Query { ...F\(level + 1) ...F\(level + 1) }" }
        #expect(codes(query).contains(QueryLimits.Code.aliases))
    }

    @Test func rootFieldsAndDirectives() {
        let roots = "{ " + (0..<21).map { "h\($0): hello" }.joined(separator: " ") + " }"
        #expect(codes(roots) { $0.maxAliases = 100 } == [QueryLimits.Code.rootFields])
        let directives = "{ hello @skip(if: false) @include(if: true) }"
        #expect(codes(directives) { $0.maxDirectivesPerField = 1 }.contains(QueryLimits.Code.directives))
    }

    @Test func tokensAreCountedBeforeParsing() {
        let query = "{ " + String(repeating: "hello ", count: 6_000) + "}"
        #expect(codes(query) == [QueryLimits.Code.tokens])
    }

    /// `{ b: hello { ...F63 } }` with `Fk { ...Fk-1 ...Fk-1 }`: 2^63 aliases once expanded. Counting them trapped.
    @Test func aDoublingFragmentChainSaturatesInsteadOfTrapping() {
        var query = "{ b: hello { ...F63 } } fragment F0 on Query { a: hello }"
        for level in 1...63 { query += " fragment F\(level) on Query { ...F\(level - 1) ...F\(level - 1) }" }
        let refused = codes(query)
        #expect(refused.contains(QueryLimits.Code.aliases))
        #expect(refused.contains(QueryLimits.Code.selections))
    }

    /// Two fragments each spreading both below, 40 levels: no aliases and free for the cost limit, 2^40 `__typename`s.
    @Test func aDiamondOfFragmentsIsRefusedForItsSelections() {
        var query = "{ node { ...A40 } } fragment A0 on Node { __typename } fragment B0 on Node { __typename }"
        for level in 1...40 {
            for name in ["A", "B"] {
                query += " fragment \(name)\(level) on Node { ...A\(level - 1) ...B\(level - 1) }"
            }
        }
        #expect(codes(query) == [QueryLimits.Code.selections])
    }

    @Test func selectionsCountFieldsFragmentsAndSpreads() {
        // node, id, the spread, and the fragment's child, its id, the inline fragment and its id: 7.
        let query = "{ node { id ...F } } fragment F on Node { child { id } ... on Node { id } }"
        #expect(codes(query) { $0.maxSelections = 7 } == [])
        #expect(codes(query) { $0.maxSelections = 6 } == [QueryLimits.Code.selections])
    }
}
