// swift-tools-version:6.1
import PackageDescription

// An app built on graphql-fcgi the way a user builds one: its own package, its own SDL and resolvers, the server
// from the `GraphQLFCGI` library (here by path; elsewhere `.package(url: ..., from: ...)`).
let package = Package(
    name: "notes",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "graphql-fcgi", path: "../..")
    ],
    targets: [
        .executableTarget(
            name: "notes",
            dependencies: [
                .product(name: "GraphQLFCGI", package: "graphql-fcgi"),
                // graphql-fcgi's SQLite module (Debian's libsqlite3), which its declarative data uses too.
                .product(name: "GraphQLFCGISQLite", package: "graphql-fcgi"),
            ],
            swiftSettings: [
                .enableUpcomingFeature("ExistentialAny"),
                .enableUpcomingFeature("InternalImportsByDefault"),
                .enableUpcomingFeature("MemberImportVisibility"),
            ]
        ),
    ]
)
