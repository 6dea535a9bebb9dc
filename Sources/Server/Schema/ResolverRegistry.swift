// SPDX-License-Identifier: Apache-2.0
public import GraphQL

/// Resolvers bound to SDL fields by their `Type.field` name, like graphql-tools' resolver maps.
public struct ResolverRegistry: Sendable {
    public private(set) var resolvers: [String: GraphQLFieldResolve] = [:]

    public init() {}

    /// Binds `resolve` to `coordinate` (`"Query.hello"`). A later binding of the same field replaces it.
    public mutating func bind(_ coordinate: String, _ resolve: @escaping GraphQLFieldResolve) {
        resolvers[coordinate] = resolve
    }

    /// Binds a resolver that returns a value without suspending.
    public mutating func bindValue(_ coordinate: String, _ value: @escaping @Sendable () -> (any Sendable)?) {
        resolvers[coordinate] = { _, _, _, _ in value() }
    }

    /// The resolvers the default schema (`schema/schema.graphql`) needs.
    public static var builtIn: ResolverRegistry {
        var registry = ResolverRegistry()
        registry.bindValue("Query.hello") { "Hello, world!" }
        return registry
    }
}
