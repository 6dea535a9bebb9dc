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

/// The least a compiled plan could cost on the list case: one async resolver call per field through an existential
/// (what a plan does once the work of planning is gone), each value written straight to a JSON byte buffer.
typealias PlanResolver = @Sendable (any Sendable) async throws -> (any Sendable)?
let itemResolvers: [(key: StaticString, resolve: PlanResolver)] = [
    ("id", { String(($0 as! Item).id) }),
    ("name", { "item \(($0 as! Item).id)" }),
    ("price", { Double(($0 as! Item).id) * 1.5 }),
    ("stock", { ($0 as! Item).id % 7 }),
    ("active", { ($0 as! Item).id % 2 == 0 }),
]

func appendJSON(_ value: (any Sendable)?, to output: inout [UInt8]) {
    switch value {
    case let string as String:
        output.append(UInt8(ascii: "\""))
        output.append(contentsOf: string.utf8)  // the benchmark's strings need no escaping
        output.append(UInt8(ascii: "\""))
    case let integer as Int: output.append(contentsOf: String(integer).utf8)
    case let double as Double: output.append(contentsOf: String(double).utf8)
    case let bool as Bool: output.append(contentsOf: (bool ? "true" : "false").utf8)
    default: output.append(contentsOf: "null".utf8)
    }
}

func directList(count: Int) async throws -> [UInt8] {
    var output: [UInt8] = []
    output.reserveCapacity(count * 80)
    output.append(contentsOf: #"{"data":{"items":["#.utf8)
    for index in 0..<count {
        if index > 0 { output.append(UInt8(ascii: ",")) }
        let item = Item(id: index)
        output.append(UInt8(ascii: "{"))
        for (position, field) in itemResolvers.enumerated() {
            if position > 0 { output.append(UInt8(ascii: ",")) }
            output.append(UInt8(ascii: "\""))
            field.key.withUTF8Buffer { output.append(contentsOf: $0) }
            output.append(contentsOf: #"":"#.utf8)
            appendJSON(try await field.resolve(item), to: &output)
        }
        output.append(UInt8(ascii: "}"))
    }
    output.append(contentsOf: "]}}".utf8)
    return output
}

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

let directIterations = 3_000
for _ in 0..<300 { _ = try await directList(count: 100) }
let directStarted = ContinuousClock.now
for _ in 0..<directIterations { _ = try await directList(count: 100) }
let directElapsed = ContinuousClock.now - directStarted
let directMicros = (Double(directElapsed.components.seconds) * 1e6 + Double(directElapsed.components.attoseconds) / 1e12)
    / Double(directIterations)
print("\nFloor of a plan on 100 items x 5 fields (async call per field through an existential, JSON bytes): "
    + "\(String(format: "%.1f", directMicros)) µs/request, \(String(format: "%.3f", directMicros / 501)) µs/field")
