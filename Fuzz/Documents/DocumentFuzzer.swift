// SPDX-License-Identifier: Apache-2.0
// Grammar-aware fuzzing of GraphQL documents through the whole request path: each input becomes a document (see
// DocumentGenerator.swift) and a request around it, which the GraphQL-over-HTTP handler answers as it would a
// client's: decoding, the pre-parse scan, parsing, the query limits, validation, the cost limit, planning, and
// execution on the plan executor (or the reference executor) with small constant data. The document cache is off,
// so every document is prepared from scratch.
//
// Asserted for every input (a violation is a `fatalError`, which libFuzzer records as a crash with the input):
// no crash or trap; the document is handled within 100 ms of wall time and grows resident memory by at most 64 MiB
// (ResourceBounds.swift); the response body is a JSON object with `data` or `errors`.
//
// Built with `-sanitize=fuzzer -D FUZZING` (`make fuzz-documents`), libFuzzer drives `LLVMFuzzerTestOneInput`.
// Built normally, the same program replays the files it is given (`make unit-test` replays Fuzz/corpus/documents),
// printing how many and the slowest; `--print` shows each generated request and the response.
import Dispatch
import Foundation
import GraphQL
import GraphQLHTTP
import Logging
import GraphQLEngine

/// The shipped schema (schema/schema.graphql), plus an interface and a union with root fields returning them, so
/// that abstract types are covered too.
let sdl = """
    directive @auth on FIELD_DEFINITION

    type Query {
      "A greeting, to check that the server answers."
      hello: String!
      me: User @auth
      sessions: [Session!]! @auth
      node(id: ID!): Node
      search(text: String, first: Int, kinds: [String!]): [SearchResult!]!
    }

    type Mutation {
      registerUser(email: String!, password: String!): LoginResult!
      login(identifier: String!, password: String!): LoginResult!
      logout: Boolean! @auth
      revokeSession(id: ID!): Boolean! @auth
      revokeOtherSessions: Int! @auth
      changePassword(password: String!): Boolean! @auth
    }

    interface Node { id: ID! }

    type User implements Node {
      id: ID!
      email: String!
      verified: Boolean!
      createdAt: String
      session: Session
    }

    type Session implements Node {
      id: ID!
      active: Boolean!
      authenticatedAt: String
      expiresAt: String
      current: Boolean!
      devices: [Device!]!
    }

    type Device {
      ipAddress: String
      userAgent: String
      location: String
    }

    type LoginResult {
      sessionToken: String!
      identityEmail: String!
      session: Session!
      user: User!
    }

    union SearchResult = User | Session | Device
    """

/// Constant data, dictionaries read by the default resolver; every list has two items.
enum FuzzData {
    static let device: [String: any Sendable] = ["__typename": "Device", "ipAddress": "192.0.2.1", "userAgent": "fuzz/1.0"]
    static let session: [String: any Sendable] = [
        "__typename": "Session", "id": "s1", "active": true, "authenticatedAt": "2025-01-01T00:00:00Z",
        "expiresAt": "2025-01-02T00:00:00Z", "current": true, "devices": [device, device],
    ]
    static let user: [String: any Sendable] = [
        "__typename": "User", "id": "u1", "email": "a@example.com", "verified": true, "session": session,
    ]
    static let loginResult: [String: any Sendable] = [
        "sessionToken": "token", "identityEmail": "a@example.com", "session": session, "user": user,
    ]

    struct Refused: Error {}

    /// The root fields' resolvers; the fields below them read the dictionaries. A few inputs make them fail, so
    /// that error paths run: `node(id: "0")` is null, `changePassword(password: "")` throws a GraphQL error and
    /// `login(identifier: "")` a Swift error (which the handler masks).
    static let resolvers = Resolvers(
        synchronousFields: [
            "Query.hello": { _, _, _, _ in "Hello, world!" },
            "Query.me": { _, _, _, _ in user },
            "Query.sessions": { _, _, _, _ in [session, session] },
            "Query.node": { _, arguments, _, _ in
                switch arguments["id"].string {
                case "0": nil
                case let id? where id.hasPrefix("s"): session
                default: user
                }
            },
            "Query.search": { _, _, _, _ in [user, session] },
            "Mutation.registerUser": { _, _, _, _ in loginResult },
            "Mutation.login": { _, arguments, _, _ in
                guard arguments["identifier"].string != "" else { throw Refused() }
                return loginResult
            },
            "Mutation.logout": { _, _, _, _ in true },
            "Mutation.revokeSession": { _, _, _, _ in true },
            "Mutation.revokeOtherSessions": { _, _, _, _ in 2 },
            "Mutation.changePassword": { _, arguments, _, _ in
                guard arguments["password"].string != "" else {
                    throw GraphQLError(message: "The password is too short", extensions: ["code": "BAD_USER_INPUT"])
                }
                return true
            },
        ],
        types: ["Node": { value, _ in DefaultResolver.value(named: "__typename", in: value) as? String }]
    )
}

/// The schema with the root resolvers bound in its fields too, for the reference executor (as Server's
/// SchemaLoader binds them).
let schema: GraphQLSchema = {
    let schema = try! buildSchema(source: sdl)
    for root in [schema.queryType, schema.mutationType].compactMap({ $0 }) {
        let fields = try! root.fields()
        // `Array(_:)`: iterating the OrderedDictionary itself would need OrderedCollections imported.
        for (name, field) in Array(fields) {
            if let resolve = FuzzData.resolvers.synchronousFields["\(root.name).\(name)"] {
                field.resolve = Resolvers.referenceResolve(resolve)
            }
        }
        root.fields = { fields }
    }
    // validateSchema caches its result in an unsynchronised property: once here, before any request.
    precondition(validateSchema(schema: schema).isEmpty, "the fuzzer's schema is invalid")
    return schema
}()

/// The configurations a grammar input can be answered under (its first byte picks one; raw text gets the first).
/// The document cache is off in all of them.
let handlers: [GraphQLHTTPHandler] = (0..<4).map { index in
    var configuration = GraphQLHTTPConfiguration()
    configuration.documentCacheEnabled = false
    configuration.documentCacheEntries = 0
    switch index {
    case 1:
        // Introspection and "Did you mean" suggestions on, the 2026 status codes.
        configuration.introspection = true
        configuration.suggestions = true
        configuration.statusCodePolicy = .draft2026
    case 2:
        // Every operation on GraphQLSwift's executor (it cannot resolve the interface and the union of a schema
        // built from SDL: those fields answer errors).
        configuration.introspection = true
        configuration.executor = .reference
    case 3:
        // Tight limits, so that documents of a few lines reach every limit.
        configuration.limits.maxTokens = 400
        configuration.limits.maxDepth = 6
        configuration.limits.maxAliases = 8
        configuration.limits.maxRootFields = 6
        configuration.limits.maxDirectivesPerField = 2
        configuration.limits.maxCost = 300
        configuration.maxDocumentNesting = 12
    default:
        break  // production defaults
    }
    // Refusals are logged at notice level: nowhere, at the fuzzer's rate.
    let logger = Logger(label: "document-fuzzer", factory: { _ in SwiftLogNoOpLogHandler() })
    return GraphQLHTTPHandler(schema: schema, resolvers: FuzzData.resolvers, configuration: configuration, logger: logger)
}

let model = SchemaModel(schema)
let bounds = ResourceBounds.fromEnvironment()
let watchdog = Watchdog(bounds: bounds)
/// The most doubling and diamond fragment chain levels in one document, 64 unless `DOCUMENT_FUZZER_MAX_CHAIN` says
/// otherwise (lower it, to 12 say, to fuzz past a known exponential-fragment finding until it is fixed).
let maxChain = ProcessInfo.processInfo.environment["DOCUMENT_FUZZER_MAX_CHAIN"].flatMap(Int.init) ?? 64

extension GeneratedRequest {
    /// The request as a client would send it: a JSON POST, or a GET with the parameters in the query string.
    var httpRequest: HTTPRequest {
        if method == "GET" {
            var parameters = ["query=" + percentEncoded(query)]
            if let operationName { parameters.append("operationName=" + percentEncoded(operationName)) }
            if let variablesJSON { parameters.append("variables=" + percentEncoded(variablesJSON)) }
            return HTTPRequest(method: "GET", queryString: parameters.joined(separator: "&"), accept: accept)
        }
        var body = "{\"query\":" + jsonString(query)
        if let operationName { body += ",\"operationName\":" + jsonString(operationName) }
        if let variablesJSON { body += ",\"variables\":" + variablesJSON }
        body += "}"
        return HTTPRequest(method: "POST", contentType: "application/json", accept: accept, body: Array(body.utf8))
    }

    /// `text` as a JSON string, written by the server's own JSON writer.
    private func jsonString(_ text: String) -> String {
        var writer = JSONWriter(capacity: text.utf8.count + 2)
        writer.string(text)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    private func percentEncoded(_ text: String) -> String {
        var encoded = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                encoded += "%" + hex(byte)
            }
        }
        return encoded
    }

    private func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
    }
}

/// Runs `operation` to completion from synchronous code (libFuzzer's callback, the replay loop).
func runBlocking<Value: Sendable>(_ operation: @escaping @Sendable () async -> Value) -> Value {
    let box = BlockingResult<Value>()
    let done = DispatchSemaphore(value: 0)
    Task {
        box.value = await operation()
        done.signal()
    }
    done.wait()
    return box.value!
}

/// The result of `runBlocking`'s task. @unchecked: written by the task before it signals, read after the wait.
private final class BlockingResult<Value>: @unchecked Sendable {
    var value: Value?
}

/// Answers `request` once, under the watchdog; returns the response and the wall time in nanoseconds.
func handleOnce(_ request: GeneratedRequest) -> (response: HTTPResponse, nanoseconds: UInt64) {
    let handler = handlers[request.handler]
    let http = request.httpRequest
    let before = ResidentMemory.bytes()
    let start = monotonicNanoseconds()
    watchdog.begin(at: start, residentBytes: before)
    let response = runBlocking { await handler.handle(http, requestID: "fuzz", context: ()) }
    let elapsed = monotonicNanoseconds() - start
    watchdog.end()
    if let before, let after = ResidentMemory.bytes(), after - before > bounds.maxGrowthBytes {
        fatalError(
            "memory bound broken: resident memory grew by \((after - before) >> 20) MiB handling the document "
                + "(bound \(bounds.maxGrowthMiB) MiB)"
        )
    }
    return (response, elapsed)
}

/// Everything the fuzzer does with one input; returns the wall time the document took. A document over the time
/// bound is handled a second time, and only a second overrun counts: a loaded machine (2 cores, builds next door)
/// can stall any one request for longer than 100 ms.
@discardableResult
func fuzz(_ data: [UInt8], printing: Bool = false) -> UInt64 {
    let request = GeneratedRequest(data, schema: model, handlers: handlers.count, maxChain: maxChain)
    if printing { describe(request) }
    var (response, elapsed) = handleOnce(request)
    if elapsed > bounds.maxNanoseconds {
        let first = elapsed
        (response, elapsed) = handleOnce(request)
        if elapsed > bounds.maxNanoseconds {
            fatalError(
                "time bound broken: the document took \(first / 1_000_000) ms, then \(elapsed / 1_000_000) ms again "
                    + "(bound \(bounds.maxMilliseconds) ms)"
            )
        }
    }
    if printing {
        print("-> \(response.status) \(String(decoding: response.body.prefix(600), as: UTF8.self))")
    }
    let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
    guard let object, object["data"] != nil || object["errors"] != nil else {
        let body = String(decoding: response.body.prefix(300), as: UTF8.self)
        fatalError("response broken: the body is not a JSON object with data or errors: \(body)")
    }
    return elapsed
}

func describe(_ request: GeneratedRequest) {
    let how = request.isRaw ? "raw text" : "grammar, handler \(request.handler)"
    print("\(request.method) (\(how), Accept: \(request.accept ?? "-"), \(request.query.utf8.count) bytes)")
    print(request.query)
    if let operationName = request.operationName { print("operationName: \(operationName)") }
    if let variables = request.variablesJSON { print("variables: \(variables)") }
    fflush(nil)  // all streams, before a crash would lose what is buffered
}

/// Requests that run the lazily built parts (schema maps, the introspection types, the executors) once, so that
/// the first input is not charged for them.
func warmUp() {
    let queries = [
        "{ hello me { id session { devices { ipAddress } } } search { __typename ... on Node { id } } }",
        "{ __schema { types { name fields { name type { name kind ofType { name } } } } } }",
        "mutation { login(identifier: \"a\", password: \"b\") { user { email } } }",
    ]
    for handler in handlers.indices {
        for query in queries {
            _ = handleOnce(GeneratedRequest(query: query, handler: handler))
        }
    }
}

@main
enum DocumentFuzzer {
    static func main() {
        warmUp()
        #if FUZZING
        exit(runLibFuzzer())
        #else
        var arguments = CommandLine.arguments.dropFirst()
        let printing = arguments.first == "--print"
        if printing { arguments = arguments.dropFirst() }
        replay(arguments, printing: printing)
        #endif
    }

    /// Replays files and the files of directories through `fuzz`.
    static func replay(_ arguments: ArraySlice<String>, printing: Bool) {
        var paths: [String] = []
        for argument in arguments {
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: argument)) ?? []
            paths += entries.isEmpty ? [argument] : entries.sorted().map { argument + "/" + $0 }
        }
        var replayed = 0
        var slowest: (nanoseconds: UInt64, path: String) = (0, "-")
        for path in paths {
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            if printing { print("== \(path)") }
            let elapsed = fuzz(Array(data), printing: printing)
            if elapsed > slowest.nanoseconds { slowest = (elapsed, path) }
            replayed += 1
        }
        let milliseconds = String(format: "%.1f", Double(slowest.nanoseconds) / 1e6)
        print(
            "replayed \(replayed) inputs; slowest \(milliseconds) ms (\(slowest.path)); "
                + "bounds \(bounds.maxMilliseconds) ms, \(bounds.maxGrowthMiB) MiB"
        )
    }
}

#if FUZZING
typealias FuzzTarget = @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
typealias FuzzerDriver = @convention(c) (
    UnsafeMutablePointer<Int32>, UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>, FuzzTarget
) -> Int32

/// SwiftPM links an executable's `main` under its own name, so libFuzzer's `main` is never pulled in; its
/// documented entry point for programs with their own `main`, `LLVMFuzzerRunDriver`, runs the fuzzing loop.
func runLibFuzzer() -> Int32 {
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "LLVMFuzzerRunDriver") else {
        print("libFuzzer is not linked: build with -sanitize=fuzzer (make fuzz-documents)")
        return 2
    }
    let driver = unsafeBitCast(symbol, to: FuzzerDriver.self)
    var argc = CommandLine.argc
    var argv = CommandLine.unsafeArgv
    return driver(&argc, &argv) { bytes, count in
        fuzz(bytes.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? [])
        return 0
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
    fuzz(bytes.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? [])
    return 0
}
#endif
