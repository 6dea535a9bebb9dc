// SPDX-License-Identifier: Apache-2.0
// `make microbench`: what executing an already parsed and validated document costs, per request and per resolved
// field, on the reference executor (GraphQLSwift's `execute`) and on the plan executor, in one run, for the three
// shapes the fast-executor milestone targets. Both run the same resolvers and produce the response's JSON bytes.
// Outside the test suite, in release.
import Foundation
import GraphQL
import FastCGI
import GraphQLHTTP
import Logging
import OrderedCollections
import Kratos
import Server
import SharedState
import GraphQLEngine

struct Item: Sendable {
    let id: Int
}

let resolvers = Resolvers(synchronousFields: [
    "Query.hello": { _, _, _, _ in "Hello, world!" },
    "Query.items": { _, arguments, _, _ in (0..<(arguments["first"].int ?? 100)).map(Item.init) },
    "Item.id": { source, _, _, _ in String((source as! Item).id) },
    "Item.name": { source, _, _, _ in "item \((source as! Item).id)" },
    "Item.price": { source, _, _, _ in Double((source as! Item).id) * 1.5 },
    "Item.stock": { source, _, _, _ in (source as! Item).id % 7 },
    "Item.active": { source, _, _, _ in (source as! Item).id % 2 == 0 },
])

func field(_ coordinate: String, _ type: any GraphQLOutputType, args: GraphQLArgumentConfigMap = [:]) -> GraphQLField {
    GraphQLField(type: type, args: args, resolve: Resolvers.referenceResolve(resolvers.synchronousFields[coordinate]!))
}

let itemType = try! GraphQLObjectType(
    name: "Item",
    fields: [
        "id": field("Item.id", GraphQLNonNull(GraphQLID)),
        "name": field("Item.name", GraphQLString),
        "price": field("Item.price", GraphQLFloat),
        "stock": field("Item.stock", GraphQLInt),
        "active": field("Item.active", GraphQLBoolean),
    ]
)

let schema = try! GraphQLSchema(
    query: GraphQLObjectType(
        name: "Query",
        fields: [
            "hello": field("Query.hello", GraphQLNonNull(GraphQLString)),
            "items": field("Query.items", GraphQLNonNull(GraphQLList(GraphQLNonNull(itemType))), args: ["first": GraphQLArgument(type: GraphQLInt)]),
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

func microseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1e6 + Double(duration.components.attoseconds) / 1e12
}

/// Microseconds per call of `body`, after a tenth as many warm-up calls.
func measure(_ iterations: Int, _ body: () async -> Void) async -> Double {
    for _ in 0..<max(1, iterations / 10) { await body() }
    let started = ContinuousClock.now
    for _ in 0..<iterations { await body() }
    return microseconds(ContinuousClock.now - started) / Double(iterations)
}

/// Both executors behind the handler, as the server runs them: the document comes from the cache, the response is
/// the JSON body.
func handler(_ executor: GraphQLHTTPConfiguration.Executor) -> GraphQLHTTPHandler {
    var configuration = GraphQLHTTPConfiguration()
    configuration.executor = executor
    return GraphQLHTTPHandler(schema: schema, resolvers: resolvers, configuration: configuration, logger: Logger(label: "microbench"))
}
/// Microseconds per request of each executor. Nonisolated, like the server's request path: the measured calls run
/// on the task's thread (top-level code is on the main actor, and each call from it would hop threads twice).
func compare(_ benchmark: Case, reference referenceHandler: GraphQLHTTPHandler, plan planHandler: GraphQLHTTPHandler) async -> (Double, Double) {
    let parameters = GraphQLRequestParameters(query: benchmark.query)
    let expected = await referenceHandler.execute(parameters, context: ()).body
    let planned = await planHandler.execute(parameters, context: ()).body
    guard planned == expected, !expected.isEmpty else {
        fatalError("\(benchmark.name): the executors disagree:\n\(String(decoding: expected, as: UTF8.self))\n\(String(decoding: planned, as: UTF8.self))")
    }
    // PLAN_ONLY=1 times the plan alone (for a profiler), ten times as long.
    if ProcessInfo.processInfo.environment["PLAN_ONLY"] != nil {
        return (.nan, await measure(benchmark.iterations * 10) { _ = await planHandler.execute(parameters, context: ()) })
    }
    let reference = await measure(benchmark.iterations) { _ = await referenceHandler.execute(parameters, context: ()) }
    let plan = await measure(benchmark.iterations) { _ = await planHandler.execute(parameters, context: ()) }
    return (reference, plan)
}

// PIPELINE_ONLY=N runs only the pipeline, N times (for counting allocations with a profiler).
if let count = ProcessInfo.processInfo.environment["PIPELINE_ONLY"].flatMap({ Int($0) }) {
    print(String(format: "%.1f", pipelineMicroseconds(iterations: count)))
    exit(0)
}

print("| request | reference µs/request | plan µs/request | reference µs/field | plan µs/field | plan speed-up |")
print("|---|---:|---:|---:|---:|---:|")
for benchmark in cases {
    let (reference, plan) = await compare(benchmark, reference: handler(.reference), plan: handler(.plan))
    let fields = Double(benchmark.fields)
    print(
        "| \(benchmark.name) | \(String(format: "%.1f", reference)) | \(String(format: "%.2f", plan)) "
            + "| \(String(format: "%.2f", reference / fields)) | \(String(format: "%.3f", plan / fields)) "
            + "| \(String(format: "%.0f", reference / plan))× |"
    )
}

/// The whole worker path of one request short of the socket: parameters to response bytes through the request
/// pipeline (routing, credentials, GraphQL over HTTP, plan, metrics off, access log off), on a worker thread's
/// executor as the server runs it.
func pipelineMicroseconds(iterations: Int, accessLog: Bool = false) -> Double {
    let pipeline = RequestPipeline(
        graphQL: handler(.plan),
        requestLog: accessLog ? RequestLog(logger: Logger(label: "microbench")) : nil
    )
    let handle = pipeline.makeThreadHandler()
    let body = Array(#"{"query":"{ hello }"}"#.utf8)
    let request = FastCGIRequest(
        parameters: [
            "REQUEST_METHOD": "POST", "DOCUMENT_URI": "/graphql", "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": String(body.count), "HTTP_ACCEPT": "application/graphql-response+json",
            "REQUEST_ID": "0123456789abcdef0123456789abcdef", "REMOTE_ADDR": "127.0.0.1", "QUERY_STRING": "",
            "HTTP_HOST": "127.0.0.1:8080", "HTTP_USER_AGENT": "wrk", "SERVER_PROTOCOL": "HTTP/1.1",
        ],
        body: body
    )
    for _ in 0..<(iterations / 10) { _ = handle(request).message() }
    let started = ContinuousClock.now
    for _ in 0..<iterations { _ = handle(request).message() }
    return microseconds(ContinuousClock.now - started) / Double(iterations)
}

print("\nWhole pipeline, POST { hello } without the socket: \(String(format: "%.1f", pipelineMicroseconds(iterations: 50_000))) µs/request")
if ProcessInfo.processInfo.environment["ACCESS_LOG"] != nil {  // with 2>/dev/null: the line's formatting and write(2)
    print("With the access log: \(String(format: "%.1f", pipelineMicroseconds(iterations: 50_000, accessLog: true))) µs/request")
}

// The signed-in warm path: a `me` request whose session is cached asks the shared state whether the session or its
// identity was ended since (`SecurityState.isCurrent`); that is all the shared state adds to it.
let statePath = FileManager.default.temporaryDirectory.appendingPathComponent("microbench-\(getpid()).state").path
let sharedMemory = try! SharedMemoryState(path: statePath, retention: .seconds(60))
defer { unlink(statePath) }
for index in 0..<1_000 { sharedMemory.invalidate(StateKey("session", "other-\(index)")) }  // a table in use
let sessionKey = StateKey("session", "3f2c9d7e-0000-4000-8000-000000000001")
let identityKey = StateKey("identity", "9a1b2c3d-0000-4000-8000-000000000002")
let position = sharedMemory.invalidationPosition()
let checks = 1_000_000
let checkStarted = ContinuousClock.now
var current = 0
for _ in 0..<checks where sharedMemory.isCurrent(since: position, session: sessionKey, identity: identityKey) { current += 1 }
precondition(current == checks)
let perCheck = microseconds(ContinuousClock.now - checkStarted) / Double(checks)
print("Shared state on a cached session (shared memory, isCurrent): \(String(format: "%.3f", perCheck)) µs/request")

let cache = SessionCache(timeToLive: .seconds(60), maxEntries: 1_000, state: sharedMemory)
let cachedSession = KratosSession(id: "3f2c9d7e-0000-4000-8000-000000000001", expiresAt: nil)
// In one task off the main actor: an `await` from top-level code would hop executors on every call (~35 µs).
let cacheHit = await Task.detached {
    await measure(200_000) { _ = try! await cache.session(for: .sessionToken("ory_st_microbench"), fetch: { cachedSession }) }
}.value
print("Session cache hit, shared-memory check included: \(String(format: "%.3f", cacheHit)) µs/request")
