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
        // SQLite from Debian's libsqlite3-dev, the one C library the app adds.
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .executableTarget(
            name: "notes",
            dependencies: ["CSQLite", .product(name: "GraphQLFCGI", package: "graphql-fcgi")],
            swiftSettings: [
                .enableUpcomingFeature("ExistentialAny"),
                .enableUpcomingFeature("InternalImportsByDefault"),
                .enableUpcomingFeature("MemberImportVisibility"),
            ]
        ),
    ]
)
