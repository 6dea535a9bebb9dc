// SPDX-License-Identifier: Apache-2.0
// Coverage-guided fuzzing of what a client controls before any resolver runs: the POST body (JSON, batches),
// the GET query string (form decoding), the Accept and Content-Type headers, and the document text through the
// pre-parse scan, the parser, the query limits and validation. Any crash, trap or hang is a finding.
//
// Built with `-sanitize=fuzzer -D FUZZING` (`make fuzz`), libFuzzer drives `LLVMFuzzerTestOneInput`. Built
// normally, the same program replays the files it is given (`make` builds it with everything else), so a
// corpus entry that once crashed stays a regression test.
import Foundation
import GraphQL
import GraphQLHTTP

let schema = try! buildSchema(
    source: """
        type Query { hello: String items(first: Int): [Item!]! node(id: ID!): Node }
        interface Node { id: ID! }
        type Item implements Node { id: ID! name: String children(first: Int): [Item!]! }
        type Mutation { touch(input: TouchInput): Boolean }
        input TouchInput { name: String tags: [String!] nested: TouchInput }
        """
)

let documents = DocumentCache(schema: schema, maxEntries: 0, maxQueryBytes: 0, maxNesting: 64)

/// Everything a request decoder does with `data`; returns normally whatever the input.
func decode(_ data: [UInt8]) {
    // The first line plays the headers: Accept, then Content-Type.
    let newline = data.firstIndex(of: 0x0A) ?? data.count
    let header = String(decoding: data[..<newline], as: UTF8.self)
    let body = Array(data[min(newline + 1, data.count)...])
    _ = ResponseMediaType.negotiate(accept: header)

    let requests = [
        HTTPRequest(method: "POST", contentType: "application/json", accept: header, body: body),
        HTTPRequest(method: "POST", contentType: header, body: body),
        HTTPRequest(method: "GET", queryString: String(decoding: body, as: UTF8.self)),
    ]
    for request in requests {
        guard let decoded = try? GraphQLRequestParameters.decode(from: request, maxBatchSize: 4) else { continue }
        switch decoded {
        case .single(let parameters):
            prepare(parameters)
        case .batch(let entries):
            for case .success(let parameters) in entries { prepare(parameters) }
        }
    }
    // The raw bytes as a document too: the parser sees far more shapes than JSON-wrapped text reaches.
    _ = documents.document(for: String(decoding: body, as: UTF8.self), enabled: false)
}

func prepare(_ parameters: GraphQLRequestParameters) {
    _ = documents.document(for: parameters.query, enabled: false)
}

@main
enum RequestDecoderFuzzer {
    static func main() {
        #if FUZZING
        exit(runLibFuzzer())
        #else
        replay(CommandLine.arguments.dropFirst())
        #endif
    }

    /// Replays files and the files of directories through `decode`.
    static func replay(_ arguments: ArraySlice<String>) {
        var paths: [String] = []
        for argument in arguments {
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: argument)) ?? []
            paths += entries.isEmpty ? [argument] : entries.sorted().map { argument + "/" + $0 }
        }
        var replayed = 0
        for path in paths {
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            decode(Array(data))
            replayed += 1
        }
        print("replayed \(replayed) inputs")
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
        print("libFuzzer is not linked: build with -sanitize=fuzzer (make fuzz)")
        return 2
    }
    let driver = unsafeBitCast(symbol, to: FuzzerDriver.self)
    var argc = CommandLine.argc
    var argv = CommandLine.unsafeArgv
    return driver(&argc, &argv) { bytes, count in
        decode(bytes.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? [])
        return 0
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
    decode(bytes.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? [])
    return 0
}
#endif
