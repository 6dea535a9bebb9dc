// SPDX-License-Identifier: Apache-2.0
import Foundation
import Synchronization
@_exported public import GraphQL
@_exported public import GraphQLEngine
@_exported public import GraphQLHTTP
@_exported public import Kratos
@_exported public import Server

/// graphql-fcgi as a library: a Swift package that depends on it builds its own server binary, with its own
/// resolvers bound to its own SDL, and every feature of the shipped `graphql-fcgi` (flags, configuration file,
/// `check-config`, SIGHUP reload, logs, metrics, accounts through Kratos, the explorer).
///
/// A whole app:
/// ```swift
/// import GraphQLFCGI
///
/// var resolvers = ResolverRegistry.accounts
/// resolvers.resolve("Query.greeting", arguments: Greeting.self) { call in
///     "Hello, \(call.arguments.name)!"
/// }
/// GraphQLFCGI.main(resolvers: resolvers)
/// ```
/// Importing `GraphQLFCGI` brings the resolver API (`ResolverRegistry`, `FieldCall`, `RequestContext`,
/// `APIError`), GraphQLSwift's `Map` and `GraphQLError`, and the Kratos models.
public enum GraphQLFCGI {
    /// Runs the command line of `graphql-fcgi` (`serve` by default, `check-config`, `identities`, `schema`) with
    /// `resolvers` bound to the schema's fields, and exits with its status.
    ///
    /// Every field of the SDL's root types needs a resolver in `resolvers` (startup and `check-config` name the
    /// ones missing); `ResolverRegistry.accounts` adds the account fields (`me`, `login`, …) for any the SDL declares.
    public static func main(resolvers: ResolverRegistry) -> Never {
        GraphQLFCGICommand.resolvers.withLock { $0 = resolvers }
        GraphQLFCGICommand.main()
        exit(0)
    }
}
