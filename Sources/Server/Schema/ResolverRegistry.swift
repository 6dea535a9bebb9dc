// SPDX-License-Identifier: Apache-2.0
public import GraphQL

/// Resolvers bound to SDL fields by their `Type.field` name, like graphql-tools' resolver maps.
public struct ResolverRegistry: Sendable {
    public private(set) var resolvers: [String: GraphQLFieldResolve] = [:]
    /// Bindings that apply only when the SDL defines the field (graphql-fcgi's own account fields): a schema may use
    /// any subset of them. The API owner's bindings must all match a field.
    public private(set) var optionalCoordinates: Set<String> = []

    public init() {}

    /// Binds `resolve` to `coordinate` (`"Query.hello"`). A later binding of the same field replaces it.
    public mutating func bind(_ coordinate: String, optional: Bool = false, _ resolve: @escaping GraphQLFieldResolve) {
        resolvers[coordinate] = resolve
        if optional { optionalCoordinates.insert(coordinate) } else { optionalCoordinates.remove(coordinate) }
    }

    /// Binds a resolver that returns a value without suspending.
    public mutating func bindValue(_ coordinate: String, _ value: @escaping @Sendable () -> (any Sendable)?) {
        resolvers[coordinate] = { _, _, _, _ in value() }
    }

    /// Only the seed's `hello`.
    public static var hello: ResolverRegistry {
        var registry = ResolverRegistry()
        registry.bindValue("Query.hello") { "Hello, world!" }
        return registry
    }

    /// The resolvers the default schema (`schema/schema.graphql`) needs: `hello` and the account fields.
    public static var builtIn: ResolverRegistry {
        var registry = hello
        AccountResolvers.register(into: &registry)
        return registry
    }

}
