// SPDX-License-Identifier: Apache-2.0
import GraphQLHTTP
public import GraphQLEngine

/// Resolvers bound to SDL fields by their `Type.field` name, like graphql-tools' resolver maps, and type resolvers
/// bound to interfaces and unions by name.
public struct ResolverRegistry: Sendable {
    public private(set) var resolvers: [String: FieldResolver] = [:]
    /// Resolvers that never wait (the plan executor calls them without an `async` call).
    public private(set) var synchronousResolvers: [String: SynchronousFieldResolver] = [:]
    /// Name the object type of a value of an interface or union; without one, a dictionary value's `__typename`
    /// entry does.
    public private(set) var typeResolvers: [String: TypeResolver] = [:]
    /// Bindings that apply only when the SDL defines the field (graphql-fcgi's own account fields): a schema may use
    /// any subset of them. The API owner's bindings must all match a field.
    public private(set) var optionalCoordinates: Set<String> = []

    /// An empty registry.
    public init() {}

    /// Binds `resolve` to `coordinate` (`"Query.hello"`). A later binding of the same field replaces it.
    public mutating func bind(_ coordinate: String, optional: Bool = false, _ resolve: @escaping FieldResolver) {
        synchronousResolvers[coordinate] = nil
        resolvers[coordinate] = resolve
        markOptional(coordinate, optional)
    }

    /// Binds a resolver that never waits: it computes its value from the parent, the arguments or the context.
    public mutating func bindSynchronous(_ coordinate: String, optional: Bool = false, _ resolve: @escaping SynchronousFieldResolver) {
        resolvers[coordinate] = nil
        synchronousResolvers[coordinate] = resolve
        markOptional(coordinate, optional)
    }

    /// Binds a resolver that returns a value without looking at anything.
    public mutating func bindValue(_ coordinate: String, _ value: @escaping @Sendable () -> (any Sendable)?) {
        bindSynchronous(coordinate) { _, _, _, _ in value() }
    }

    /// Every bound coordinate.
    var coordinates: Set<String> { Set(resolvers.keys).union(synchronousResolvers.keys) }

    private mutating func markOptional(_ coordinate: String, _ optional: Bool) {
        if optional { optionalCoordinates.insert(coordinate) } else { optionalCoordinates.remove(coordinate) }
    }

    /// Binds the resolver that names the object type of `abstractType`'s values.
    public mutating func bindType(_ abstractType: String, _ resolve: @escaping TypeResolver) {
        typeResolvers[abstractType] = resolve
    }

    /// Only the seed's `hello`, bound when the SDL declares it (an SDL of `@sql` fields need not).
    public static var hello: ResolverRegistry {
        var registry = ResolverRegistry()
        registry.bindSynchronous("Query.hello", optional: true) { _, _, _, _ in "Hello, world!" }
        return registry
    }

    /// The account fields (`me`, `sessions`, `registerUser`, `login`, `logout`, `revokeSession`,
    /// `revokeOtherSessions`, `changePassword`), bound for those the SDL declares: the start of an app's registry.
    public static var accounts: ResolverRegistry {
        var registry = ResolverRegistry()
        AccountResolvers.register(into: &registry)
        CodeResolvers.register(into: &registry)
        SecondFactorResolvers.register(into: &registry)
        return registry
    }

    /// The resolvers the default schema (`schema/schema.graphql`) needs: `hello` and the account fields.
    public static var builtIn: ResolverRegistry {
        var registry = hello
        AccountResolvers.register(into: &registry)
        CodeResolvers.register(into: &registry)
        SecondFactorResolvers.register(into: &registry)
        return registry
    }

}
