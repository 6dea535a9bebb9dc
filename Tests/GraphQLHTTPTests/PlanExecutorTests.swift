import GraphQL
import Logging
import Synchronization
import Testing

@testable import GraphQLEngine
@testable import GraphQLHTTP

/// What the plan executor does where the differential test cannot compare it with GraphQLSwift (which departs from
/// the spec there), and what only it supports: interfaces and unions on a schema built from SDL.
@Suite struct PlanExecutorTests {
    static let sdl = """
        type Query {
          tags: [String]
          matrix: [[Int]]
          strict: [Int!]
          mustNotBeNull: String!
          nested: Inner
          search: [Result]
          pet: Pet
          slow: String
          left: String
          right: String
          pair: [Meeting!]
          greeting(name: String = "you", times: Int): String
          rows: [Row!]
          plainRows: [Row!]
          brokenRow: Row
          plainBrokenRow: Row
        }
        type Row { id: ID! name: String n: Int! ok: Boolean f: Float tag: Color }
        enum Color { RED }
        type Inner { value: Int! name: String }
        type Meeting { together: String }
        interface Pet { name: String }
        type Cat implements Pet { name: String lives: Int }
        type Dog implements Pet { name: String good: Boolean }
        union Result = Cat | Dog
        """

    static let resolvers = Resolvers(
        fields: [
            "Query.tags": { _, _, _, _ in ["a", nil, "c"] as [String?] },
            "Query.matrix": { _, _, _, _ in [[1, 2], [], [3]] },
            "Query.strict": { _, _, _, _ in [1, nil, 3] as [Int?] },
            "Query.mustNotBeNull": { _, _, _, _ in nil },
            "Query.nested": { _, _, _, _ in ["value": 7, "name": "n"] as [String: any Sendable] },
            "Query.search": { _, _, _, _ in
                [["__typename": "Cat", "name": "Tom", "lives": 9], ["__typename": "Dog", "name": "Rex", "good": true]]
                    as [[String: any Sendable]]
            },
            "Query.pet": { _, _, _, _ in Dog(name: "Fido") },
            "Query.slow": { _, _, _, _ in
                try await Task.sleep(for: .milliseconds(5))
                return "done"
            },
            "Query.left": { _, _, context, _ in try await (context as! Rendezvous).meet() },
            "Query.right": { _, _, context, _ in try await (context as! Rendezvous).meet() },
            "Query.pair": { _, _, _, _ in [1, 2] },
            "Meeting.together": { _, _, context, _ in try await (context as! Rendezvous).meet() },
            "Query.greeting": { _, arguments, _, field in
                "\(field.path.elements.map(\.description).joined(separator: ".")): hello \(arguments["name"].string ?? "?") x\(arguments["times"].int ?? 1)"
            },
            "Query.rows": { _, _, _, _ in TestRow.values.map(TestRow.init) },
            "Query.plainRows": { _, _, _, _ in
                TestRow.values.map { values in
                    var entries: [String: any Sendable] = [:]
                    for (name, value) in zip(TestRow.columns.names, values) { if let value { entries[name] = value } }
                    return entries
                }
            },
            "Query.brokenRow": { _, _, _, _ in TestRow([nil, "no id", 1, nil, nil, nil]) },
            "Query.plainBrokenRow": { _, _, _, _ in ["name": "no id", "n": 1] as [String: any Sendable] },
        ],
        types: ["Pet": { value, _ in value is Dog ? "Dog" : nil }]
    )

    struct Dog: Sendable { let name: String }

    /// A row that writes its own columns: integers as ids, text, a float column holding an integer, an enum it
    /// leaves to the executor.
    struct TestRow: ColumnarRow {
        static let columns = ColumnNames(["id", "name", "n", "ok", "f", "tag"])
        static let values: [[(any Sendable)?]] = [[5, "a \"quoted\" name", 7, true, 2, "RED"], ["x", nil, -1, false, 1.5, nil]]
        let values: [(any Sendable)?]
        init(_ values: [(any Sendable)?]) { self.values = values }

        var columns: ColumnNames { Self.columns }
        subscript(key: String) -> (any Sendable)? { Self.columns.position(of: key).flatMap { values[$0] } }

        func writeColumn(_ index: Int, as kind: ScalarKind, into writer: inout JSONWriter) -> ColumnWrite {
            switch (kind, values[index]) {
            case (_, nil): return .null
            case (.id, let integer as Int): writer.raw("\""); writer.integer(integer); writer.raw("\"")
            case (.id, let text as String), (.string, let text as String): writer.string(text)
            case (.int, let integer as Int): writer.integer(integer)
            case (.float, let integer as Int): writer.double(Double(integer))
            case (.float, let double as Double): writer.double(double)
            case (.boolean, let flag as Bool): writer.raw(flag ? "true" : "false")
            default: return .fallBack
            }
            return .written
        }
    }

    /// Two resolvers that each wait for the other: "together" when both ran at once, "alone" when the second only
    /// started after the first gave up (2 s).
    final class Rendezvous: Sendable {
        let arrived = Atomic<Int>(0)

        func meet() async throws -> String {
            arrived.add(1, ordering: .sequentiallyConsistent)
            for _ in 0..<200 {
                if arrived.load(ordering: .sequentiallyConsistent) >= 2 { return "together" }
                try await Task.sleep(for: .milliseconds(10))
            }
            return "alone"
        }
    }

    func run(_ query: String, variables: String = "{}") async throws -> String {
        let schema = try buildSchema(source: Self.sdl)
        let handler = GraphQLHTTPHandler(schema: schema, resolvers: Self.resolvers, configuration: .init(), logger: Logger(label: "plan"))
        let body = #"{"query":"\#(query)","variables":\#(variables)}"#
        let request = HTTPRequest(method: "POST", contentType: "application/json", body: Array(body.utf8))
        let response = await handler.handle(request, requestID: "test", context: ())
        #expect(response.status == 200)
        return String(decoding: response.body, as: UTF8.self)
    }

    @Test func aColumnarRowWritesItsColumnsAsTheirValuesWouldBeWritten() async throws {
        let columnar = try await run("{ rows { id name n ok f tag __typename } }")
        #expect(columnar == #"{"data":{"rows":[{"id":"5","name":"a \"quoted\" name","n":7,"ok":true,"f":2,"tag":"RED","__typename":"Row"},{"id":"x","name":null,"n":-1,"ok":false,"f":1.5,"tag":null,"__typename":"Row"}]}}"#)
        #expect(try await run("{ rows: plainRows { id name n ok f tag __typename } }") == columnar)
        let broken = try await run("{ brokenRow:      brokenRow { name id } }")  // as long as the plain one: same columns
        #expect(broken.contains(#""message":"Cannot return null for non-nullable field Row.id.""#) && broken.hasSuffix(#""data":{"brokenRow":null}}"#))
        let plainBroken = try await run("{ brokenRow: plainBrokenRow { name id } }")
        #expect(plainBroken == broken)
    }

    @Test func keepsNullListItemsAndListsOfLists() async throws {
        #expect(try await run("{ tags matrix }") == #"{"data":{"tags":["a",null,"c"],"matrix":[[1,2],[],[3]]}}"#)
    }

    @Test func aNullInANonNullListItemNullsTheListWithAPath() async throws {
        #expect(
            try await run("{ strict }")
                == #"{"errors":[{"message":"Cannot return null for non-nullable field Query.strict.","locations":[{"line":1,"column":3}],"path":["strict",1],"extensions":{"code":"INTERNAL_SERVER_ERROR"}}],"data":{"strict":null}}"#
        )
    }

    @Test func aNullReachingTheRootNullsDataWithAllErrors() async throws {
        let body = try await run("{ strict mustNotBeNull }")
        #expect(body.hasSuffix(#""data":null}"#))
        #expect(body.contains(#""path":["strict",1]"#) && body.contains(#""path":["mustNotBeNull"]"#))
    }

    @Test func resolvesInterfacesAndUnionsFromTypeResolversOrTypename() async throws {
        #expect(
            try await run("{ pet { __typename name ... on Dog { good } } search { __typename ... on Cat { lives } ... on Dog { name } } }")
                == #"{"data":{"pet":{"__typename":"Dog","name":"Fido","good":null},"search":[{"__typename":"Cat","lives":9},{"__typename":"Dog","name":"Rex"}]}}"#
        )
    }

    @Test func argumentsDefaultsVariablesAndThePathReachResolvers() async throws {
        #expect(
            try await run(#"query($n: Int) { a: greeting(times: $n) b: greeting(name: \"Ada\") }"#, variables: #"{"n":3}"#)
                == #"{"data":{"a":"a: hello you x3","b":"b: hello Ada x1"}}"#
        )
    }

    @Test func anAsyncResolverSuspendsOnlyItsOwnField() async throws {
        #expect(try await run("{ slow nested { value } }") == #"{"data":{"slow":"done","nested":{"value":7}}}"#)
    }

    @Test func asynchronousSiblingsWaitTogether() async throws {
        let schema = try buildSchema(source: Self.sdl)
        let handler = GraphQLHTTPHandler(schema: schema, resolvers: Self.resolvers, configuration: .init(), logger: Logger(label: "plan"))
        let response = await handler.execute(GraphQLRequestParameters(query: "{ left right hello: tags }"), context: Rendezvous())
        #expect(String(decoding: response.body, as: UTF8.self) == #"{"data":{"left":"together","right":"together","hello":["a",null,"c"]}}"#)
    }

    @Test func asynchronousListItemsWaitTogether() async throws {
        let schema = try buildSchema(source: Self.sdl)
        let handler = GraphQLHTTPHandler(schema: schema, resolvers: Self.resolvers, configuration: .init(), logger: Logger(label: "plan"))
        let response = await handler.execute(GraphQLRequestParameters(query: "{ pair { together } }"), context: Rendezvous())
        #expect(String(decoding: response.body, as: UTF8.self) == #"{"data":{"pair":[{"together":"together"},{"together":"together"}]}}"#)
    }

    @Test func introspectionIsPlannedAndAnswersAsTheReferenceExecutorDoes() async throws {
        let schema = try buildSchema(source: Self.sdl)
        var configuration = GraphQLHTTPConfiguration()
        configuration.introspection = true
        let planned = GraphQLHTTPHandler(schema: schema, resolvers: Self.resolvers, configuration: configuration, logger: Logger(label: "plan"))
        configuration.executor = .reference
        let reference = GraphQLHTTPHandler(schema: schema, resolvers: Self.resolvers, configuration: configuration, logger: Logger(label: "reference"))
        let query = """
            { __schema { types { kind name fields(includeDeprecated: true) { name args { name defaultValue }
              type { kind name ofType { kind name ofType { kind name } } } } possibleTypes { name } } }
              __type(name: "Pet") { possibleTypes { name } } missing: __type(name: "Nope") { name } }
            """
        guard case .ready = planned.documents.document(for: query).plans[""] else {
            Issue.record("introspection was not planned")
            return
        }
        let answer = String(decoding: await planned.execute(GraphQLRequestParameters(query: query), context: ()).body, as: UTF8.self)
        let referenceAnswer = String(decoding: await reference.execute(GraphQLRequestParameters(query: query), context: ()).body, as: UTF8.self)
        #expect(answer == referenceAnswer)
        #expect(answer.contains(#""__type":{"possibleTypes":[{"name":"Cat"},{"name":"Dog"}]},"missing":null"#))
        // graphql-js' order: the SDL's types as it defines them, each followed by the types it first brings in.
        #expect(answer.contains(#"{"data":{"__schema":{"types":[{"kind":"OBJECT","name":"Query""#))
        #expect(answer.contains(#"{"kind":"SCALAR","name":"String""#))
    }
}
