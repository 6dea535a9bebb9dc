// SPDX-License-Identifier: Apache-2.0
public import GraphQLHTTP

/// Resolvers bound to SDL fields by their `Type.field` name, like graphql-tools' resolver maps, and type resolvers
/// bound to interfaces and unions by name.
public struct ResolverRegistry: Sendable {
    public private(set) var resolvers: [String: FieldResolver] = [:]
    /// Name the object type of a value of an interface or union; without one, a dictionary value's `__typename`
    /// entry does.
    public private(set) var typeResolvers: [String: TypeResolver] = [:]
    /// Bindings that apply only when the SDL defines the field (graphql-fcgi's own account fields): a schema may use
    /// any subset of them. The API owner's bindings must all match a field.
    public private(set) var optionalCoordinates: Set<String> = []

    public init() {}

    /// Binds `resolve` to `coordinate` (`"Query.hello"`). A later binding of the same field replaces it.
    public mutating func bind(_ coordinate: String, optional: Bool = false, _ resolve: @escaping FieldResolver) {
        resolvers[coordinate] = resolve
        if optional { optionalCoordinates.insert(coordinate) } else { optionalCoordinates.remove(coordinate) }
    }

    /// Binds a resolver that returns a value without suspending.
    public mutating func bindValue(_ coordinate: String, _ value: @escaping @Sendable () -> (any Sendable)?) {
        resolvers[coordinate] = { _, _, _, _ in value() }
    }

    /// Binds the resolver that names the object type of `abstractType`'s values.
    public mutating func bindType(_ abstractType: String, _ resolve: @escaping TypeResolver) {
        typeResolvers[abstractType] = resolve
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
