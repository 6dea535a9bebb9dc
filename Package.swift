// swift-tools-version:6.1
import PackageDescription

/// Settings shared by every Swift target: strict concurrency comes with the Swift 6 language mode;
/// these upcoming features keep imports and existentials explicit.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "graphql-fcgi",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "graphql-fcgi", targets: ["graphql-fcgi"]),
        // What an app builds its own server on (see examples/notes): the whole server, with its own resolvers.
        .library(name: "GraphQLFCGI", targets: ["GraphQLFCGI"]),
        // SQLite for an app's own storage (examples/notes), the one the server's declarative data uses.
        .library(name: "GraphQLFCGISQLite", targets: ["SQLite"]),
    ],
    dependencies: [
        .package(url: "https://github.com/GraphQLSwift/GraphQL", exact: "4.3.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // Level 0: C shims. Only what Swift cannot import directly lives here.
        .target(name: "CFastCGI", linkerSettings: [.linkedLibrary("fcgi")]),
        .target(name: "CCurl", linkerSettings: [.linkedLibrary("curl")]),
        .target(name: "CSharedMemory"),
        .systemLibrary(name: "CHiredis", providers: [.apt(["libhiredis-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),

        // Level 1: transports, storage and the GraphQL engine, independent of each other.
        .target(
            name: "FastCGI",
            dependencies: ["CFastCGI", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .target(name: "HTTPClient", dependencies: ["CCurl"], swiftSettings: swiftSettings),
        // SQLite databases (the embedded default of declarative data, and apps' own storage).
        .target(name: "SQLite", dependencies: ["CSQLite"], swiftSettings: swiftSettings),
        // PostgreSQL through libpq (declarative data on a database server).
        .target(name: "PostgreSQL", dependencies: ["CLibPQ"], swiftSettings: swiftSettings),
        // What every instance and host must agree on: session invalidations and attempt counters.
        .target(
            name: "SharedState",
            dependencies: ["CSharedMemory", "CHiredis", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        // The GraphQL engine beside GraphQLSwift: operation plans and their executor, the resolver API,
        // introspection, schema printing and comparison, the JSON writer the executor writes with.
        .target(
            name: "GraphQLEngine",
            dependencies: [
                .product(name: "GraphQL", package: "GraphQL"),
                .product(name: "OrderedCollections", package: "swift-collections"),
            ],
            swiftSettings: swiftSettings
        ),

        // Level 2: the GraphQL-over-HTTP protocol on the engine; declarative data; the Kratos API client.
        .target(
            name: "GraphQLHTTP",
            dependencies: [
                "GraphQLEngine",
                .product(name: "GraphQL", package: "GraphQL"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "OrderedCollections", package: "swift-collections"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),

        // Declarative data: `@sql` fields bound to statements on a database.
        .target(
            name: "SQLData",
            dependencies: [
                "GraphQLEngine",
                "SQLite",
                "PostgreSQL",
                .product(name: "GraphQL", package: "GraphQL"),
                .product(name: "OrderedCollections", package: "swift-collections"),
            ],
            swiftSettings: swiftSettings
        ),

        // Declarative data: `@http` fields bound to calls to JSON services.
        .target(
            name: "HTTPData",
            dependencies: [
                "GraphQLEngine",
                "HTTPClient",
                .product(name: "GraphQL", package: "GraphQL"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "OrderedCollections", package: "swift-collections"),
            ],
            swiftSettings: swiftSettings
        ),

        // The Kratos API client.
        .target(name: "Kratos", dependencies: ["HTTPClient"], swiftSettings: swiftSettings),

        // Level 3: composition (configuration, schema + resolvers, request pipeline, lifecycle).
        .target(
            name: "Server",
            dependencies: [
                "SQLData",
                "HTTPData",
                "SQLite",
                "PostgreSQL",
                "GraphQLEngine",
                "FastCGI",
                "GraphQLHTTP",
                "HTTPClient",
                "Kratos",
                "SharedState",
                .product(name: "GraphQL", package: "GraphQL"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "OrderedCollections", package: "swift-collections"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),

        // Level 4: the command line (serve, check-config, identities, schema) as a library an app runs with its own
        // resolvers, and the shipped executable, a `main` on it.
        .target(
            name: "GraphQLFCGI",
            dependencies: [
                "SQLite",
                "HTTPData",
                "GraphQLEngine",
                "Server",
                "GraphQLHTTP",
                "HTTPClient",
                "Kratos",
                "SharedState",
                .product(name: "GraphQL", package: "GraphQL"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(name: "graphql-fcgi", dependencies: ["GraphQLFCGI"], swiftSettings: swiftSettings),

        // `make microbench`: execution cost per request and per field, outside the test suite.
        .executableTarget(
            name: "executor-microbench",
            dependencies: [
                "GraphQLEngine",
                "FastCGI",
                "GraphQLHTTP",
                "Kratos",
                "Server",
                "SharedState",
                .product(name: "GraphQL", package: "GraphQL"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "OrderedCollections", package: "swift-collections"),
            ],
            path: "bench/Micro",
            swiftSettings: swiftSettings
        ),

        // The libFuzzer target for the request decoder (`make fuzz`); built normally, it replays a corpus.
        .executableTarget(
            name: "request-decoder-fuzzer",
            dependencies: ["GraphQLHTTP", .product(name: "GraphQL", package: "GraphQL")],
            path: "Fuzz/RequestDecoder",
            swiftSettings: swiftSettings
        ),

        // The grammar-aware libFuzzer target for GraphQL documents through the whole handler (`make fuzz-documents`);
        // built normally, it replays a corpus. Logging only to give the handler a logger that discards.
        .executableTarget(
            name: "document-fuzzer",
            dependencies: [
                "GraphQLEngine",
                "GraphQLHTTP",
                .product(name: "GraphQL", package: "GraphQL"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Fuzz/Documents",
            swiftSettings: swiftSettings
        ),

        // Test support: the Kratos emulator as a child process, for tests that need a real HTTP peer.
        .target(name: "TestSupport", path: "Tests/Support", swiftSettings: swiftSettings),
        .testTarget(name: "FastCGITests", dependencies: ["FastCGI"], swiftSettings: swiftSettings),
        .testTarget(name: "SQLiteTests", dependencies: ["SQLite"], swiftSettings: swiftSettings),
        .testTarget(
            name: "SQLDataTests",
            dependencies: ["SQLData", "SQLite", "GraphQLEngine", .product(name: "GraphQL", package: "GraphQL")],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "HTTPDataTests", dependencies: ["HTTPData"], swiftSettings: swiftSettings),
        .testTarget(name: "SharedStateTests", dependencies: ["SharedState", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "HTTPClientTests", dependencies: ["HTTPClient", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "KratosTests",
            dependencies: ["Kratos", "HTTPClient", "TestSupport", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "GraphQLHTTPTests",
            dependencies: [
                "GraphQLEngine",
                "GraphQLHTTP",
                .product(name: "GraphQL", package: "GraphQL"),
                .product(name: "OrderedCollections", package: "swift-collections"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ServerTests",
            dependencies: [
                "GraphQLEngine",
                "Server",
                "SharedState",
                "FastCGI",
                "GraphQLHTTP",
                .product(name: "GraphQL", package: "GraphQL"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
