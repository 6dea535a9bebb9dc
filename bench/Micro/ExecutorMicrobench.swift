// SPDX-License-Identifier: Apache-2.0
// `make microbench`: what executing an already parsed and validated document costs, per request and per resolved
// field, for the three shapes the fast-executor milestone targets. Run outside the test suite, in release.
import Foundation
import GraphQL
import OrderedCollections

struct Item: Sendable {
    let id: Int
}

let itemType = try! GraphQLObjectType(
    name: "Item",
    fields: [
        "id": GraphQLField(type: GraphQLNonNull(GraphQLID)) { source, _, _, _ in String((source as! Item).id) },
        "name": GraphQLField(type: GraphQLString) { source, _, _, _ in "item \((source as! Item).id)" },
        "price": GraphQLField(type: GraphQLFloat) { source, _, _, _ in Double((source as! Item).id) * 1.5 },
        "stock": GraphQLField(type: GraphQLInt) { source, _, _, _ in (source as! Item).id % 7 },
        "active": GraphQLField(type: GraphQLBoolean) { source, _, _, _ in (source as! Item).id % 2 == 0 },
    ]
)

let schema = try! GraphQLSchema(
    query: GraphQLObjectType(
        name: "Query",
        fields: [
            "hello": GraphQLField(type: GraphQLNonNull(GraphQLString)) { _, _, _, _ in "Hello, world!" },
            "items": GraphQLField(
                type: GraphQLNonNull(GraphQLList(GraphQLNonNull(itemType))),
                args: ["first": GraphQLArgument(type: GraphQLInt)]
            ) { _, arguments, _, _ in (0..<(arguments["first"].int ?? 100)).map(Item.init) },
        ]
    )
)

struct Case {
    let name: String
    let query: String
    let fields: Int
    let iterations: Int
}

let wide = "query Wide { " + (0..<16).map { "f\($0): hello" }.joined(separator: " ") + " ...Extra } "
    + "fragment Extra on Query { e1: hello e2: hello t: __typename h: hello }"
let cases = [
    Case(name: "{ hello }", query: "{ hello }", fields: 1, iterations: 20_000),
    Case(name: "20 fields + fragment", query: wide, fields: 20, iterations: 5_000),
    Case(name: "100 items x 5 fields", query: "{ items(first: 100) { id name price stock active } }", fields: 501, iterations: 300),
]

print("| request | reference µs/request | reference µs/field |")
print("|---|---:|---:|")
for benchmark in cases {
    let document = try parse(source: benchmark.query)
    precondition(validate(schema: schema, ast: document).isEmpty)
    for _ in 0..<(benchmark.iterations / 10) {  // warm-up
        _ = try await execute(schema: schema, documentAST: document, rootValue: (), context: ())
    }
    let started = ContinuousClock.now
    for _ in 0..<benchmark.iterations {
        _ = try await execute(schema: schema, documentAST: document, rootValue: (), context: ())
    }
    let elapsed = ContinuousClock.now - started
    let micros = Double(elapsed.components.seconds) * 1e6 + Double(elapsed.components.attoseconds) / 1e12
    let perRequest = micros / Double(benchmark.iterations)
    print("| \(benchmark.name) | \(String(format: "%.1f", perRequest)) | \(String(format: "%.2f", perRequest / Double(benchmark.fields))) |")
}
