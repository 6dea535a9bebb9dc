// SPDX-License-Identifier: Apache-2.0
import Foundation
import OrderedCollections
public import GraphQL
import GraphQLHTTP
public import GraphQLEngine
import Kratos
import Logging
public import HTTPData
public import SQLData
import SQLite

/// Why a schema could not be loaded. The message names the file and every field concerned.
public struct SchemaLoadError: Error, CustomStringConvertible, Equatable {
    /// What failed, naming the file and every field concerned.
    public let description: String
}

/// A schema with its resolvers bound: in its fields for GraphQLSwift's executor, and as `Resolvers` for the plan
/// executor (both run the same closures).
public struct LoadedSchema: Sendable {
    /// The executable schema, its fields' resolve functions set for GraphQLSwift's executor.
    public let schema: GraphQLSchema
    /// The same resolvers, by `Type.field` coordinate, for the plan executor.
    public let resolvers: Resolvers
}

/// Builds the executable schema from an SDL file and binds the registry's resolvers to its fields.
public enum SchemaLoader {
    /// `build(sdl:resolvers:origin:authGuard:database:)` on the SDL file at `path`; the errors name the file.
    public static func load(
        path: String,
        resolvers: ResolverRegistry,
        authGuard: (@Sendable (_ context: any Sendable) async throws -> Void)? = nil,
        secondFactorGuard: (@Sendable (_ context: any Sendable) async throws -> Void)? = nil,
        database: SQLDatabase? = nil,
        http: HTTPFields.Environment? = nil
    ) throws(SchemaLoadError) -> LoadedSchema {
        try build(
            sdl: try read(path), resolvers: resolvers, origin: path, authGuard: authGuard, secondFactorGuard: secondFactorGuard,
            database: database, http: http
        )
    }

    /// The schema an SDL file serves — with the directives graphql-fcgi declares for it — without binding resolvers:
    /// for tools (`graphql-fcgi schema print`, `schema diff`).
    public static func served(path: String) throws(SchemaLoadError) -> GraphQLSchema {
        let schema = try unbound(sdl: try read(path), origin: path)
        try validate(schema, origin: path)
        return schema
    }

    private static func read(_ path: String) throws(SchemaLoadError) -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw SchemaLoadError(description: "cannot read the schema file \(path): \(error.localizedDescription)")
        }
    }

    /// The SDL built, with `@auth` declared when it uses the directive without declaring it.
    private static func unbound(sdl: String, origin: String) throws(SchemaLoadError) -> GraphQLSchema {
        do {
            var source = sdl
            if !sdl.contains("directive @\(authDirective)") {
                // The level argument is declared only for an SDL that uses it, so that other schemas stay as written.
                source += "\n" + (sdl.contains("@\(authDirective)(") ? authDirectiveWithLevelDefinition : authDirectiveDefinition) + "\n"
            }
            // Declared only for an SDL that uses it: introspection shows what the SDL declares, and nothing more.
            if sdl.contains("@\(SQLFields.directiveName)("), !sdl.contains("directive @\(SQLFields.directiveName)") {
                source += SQLFields.directiveDefinition + "\n"
            }
            if sdl.contains("@\(HTTPFields.directiveName)("), !sdl.contains("directive @\(HTTPFields.directiveName)") {
                source += HTTPFields.directiveDefinition + "\n"
            }
            return try buildSchema(source: source)
        } catch {
            throw SchemaLoadError(description: "\(origin): invalid SDL: \(describe(error))")
        }
    }

    /// `validateSchema` caches its result in an unsynchronised property: run it once, before any request.
    private static func validate(_ schema: GraphQLSchema, origin: String) throws(SchemaLoadError) {
        let errors = validateSchema(schema: schema)
        guard errors.isEmpty else {
            throw SchemaLoadError(description: "\(origin): invalid schema: " + errors.map(\.message).joined(separator: "; "))
        }
    }

    /// The signed-in identity's id for `:identity` and `{identity}`, or `UNAUTHENTICATED`.
    @Sendable static func identity(_ context: any Sendable) async throws -> String {
        guard let id = try await RequestContext.of(context).requireSession().identity?.id else { throw AccountErrors.unauthenticated() }
        return id
    }

    /// The directive that makes a field require a signed-in session. Declared automatically when the SDL uses it
    /// without declaring it.
    static let authDirective = "auth"
    static let authDirectiveDefinition = "directive @auth on FIELD_DEFINITION"
    /// `@auth(aal: AAL2)`: the field also needs the second factor (an AAL2 session: TOTP at sign-in).
    static let authDirectiveWithLevelDefinition = """
        "How a session was signed in: AAL1 with a password, AAL2 with a second factor as well."
        enum AuthenticatorAssuranceLevel { AAL1 AAL2 }
        directive @auth(aal: AuthenticatorAssuranceLevel = AAL1) on FIELD_DEFINITION
        """

    /// Builds and binds. Fails when the SDL is invalid, when a resolver is bound to a field the SDL lacks, or when a
    /// root field (of Query, Mutation or Subscription) has no resolver, naming every such field. Fields marked
    /// `@auth` run `authGuard` before their resolver (or before reading the property, for fields without one).
    public static func build(
        sdl: String,
        resolvers: ResolverRegistry,
        origin: String = "schema",
        authGuard: (@Sendable (_ context: any Sendable) async throws -> Void)? = nil,
        secondFactorGuard: (@Sendable (_ context: any Sendable) async throws -> Void)? = nil,
        database: SQLDatabase? = nil,
        http: HTTPFields.Environment? = nil
    ) throws(SchemaLoadError) -> LoadedSchema {
        let schema = try unbound(sdl: sdl, origin: origin)
        var resolvers = resolvers
        var declarationProblems: [String] = []
        do {
            let declared = try SQLFields.resolvers(
                schema: schema, sdl: sdl, origin: origin, database: database, resolvedElsewhere: resolvers.coordinates,
                identity: identity
            )
            for (coordinate, resolve) in declared.fields { resolvers.bind(coordinate, resolve) }
            for (coordinate, resolve) in declared.synchronousFields { resolvers.bindSynchronous(coordinate, resolve) }
        } catch {
            declarationProblems += error.lines
        }
        do {
            let environment = http ?? .server(configuration: HTTPDataConfiguration(), client: UpstreamClient.standard, logger: Logger(label: "graphql-fcgi"))
            for (coordinate, resolve) in try HTTPFields.resolvers(
                schema: schema, sdl: sdl, origin: origin, environment: environment, resolvedElsewhere: resolvers.coordinates
            ) {
                resolvers.bind(coordinate, resolve)
            }
        } catch {
            declarationProblems += error.lines
        }
        guard declarationProblems.isEmpty else { throw SchemaLoadError(description: declarationProblems.joined(separator: "\n")) }

        var unbound = resolvers.coordinates.subtracting(resolvers.optionalCoordinates)
        var missingRootResolvers: [String] = []
        var bound = Resolvers(types: resolvers.typeResolvers)
        let rootTypeNames = Set([schema.queryType, schema.mutationType, schema.subscriptionType].compactMap { $0?.name })
        do {
            for type in schema.typeMap.values.compactMap({ $0 as? GraphQLObjectType }) where !type.name.hasPrefix("__") {
                // Resolvers set on the built fields are ignored once the schema has cached its field definitions;
                // assigning `fields` again clears that cache (see DESIGN.md).
                let fields = try type.fields()
                for (name, field) in fields {
                    let coordinate = "\(type.name).\(name)"
                    var resolve = resolvers.resolvers[coordinate]
                    let synchronous = resolvers.synchronousResolvers[coordinate]
                    if resolve != nil || synchronous != nil {
                        unbound.remove(coordinate)
                    } else if rootTypeNames.contains(type.name) {
                        missingRootResolvers.append(coordinate)
                    }
                    if let authGuard, let auth = field.astNode?.directives.first(where: { $0.name.value == authDirective }) {
                        // The guard asks Kratos (or the session cache): the guarded resolver is asynchronous.
                        let inner: FieldResolver = resolve ?? synchronous.map(Resolvers.asynchronous) ?? Self.readProperty
                        resolve = guarded(inner, by: authGuard)
                        if (auth.arguments.first { $0.name.value == "aal" }?.value as? EnumValue)?.value == "AAL2" {
                            // Without a guard for it, an AAL2 field is refused to every session (closed, not open).
                            resolve = guarded(resolve!, by: secondFactorGuard ?? { _ in throw AccountErrors.secondFactorRequired() })
                        }
                    } else if let synchronous {
                        bound.synchronousFields[coordinate] = synchronous
                        field.resolve = Resolvers.referenceResolve(synchronous)
                    }
                    if let resolve {
                        bound.fields[coordinate] = resolve
                        field.resolve = Resolvers.referenceResolve(resolve)
                    }
                }
                type.fields = { fields }
            }
        } catch {
            throw SchemaLoadError(description: "\(origin): \(describe(error))")
        }

        var problems: [String] = []
        if !unbound.isEmpty {
            problems.append("resolvers bound to fields the SDL does not define: \(unbound.sorted().joined(separator: ", "))")
        }
        if !missingRootResolvers.isEmpty {
            problems.append("root fields without a resolver: \(missingRootResolvers.sorted().joined(separator: ", "))")
        }
        guard problems.isEmpty else { throw SchemaLoadError(description: "\(origin): " + problems.joined(separator: "; ")) }

        try validate(schema, origin: origin)
        return LoadedSchema(schema: schema, resolvers: bound)
    }

    /// What a field without a resolver does, for an `@auth` field that needs one to guard.
    private static let readProperty: FieldResolver = { source, _, _, field in
        DefaultResolver.value(named: field.fieldName, in: source)
    }

    private static func describe(_ error: any Error) -> String {
        (error as? GraphQLError)?.description ?? String(describing: error)
    }

    private static func guarded(
        _ resolve: @escaping FieldResolver,
        by authGuard: @escaping @Sendable (any Sendable) async throws -> Void
    ) -> FieldResolver {
        return { source, arguments, context, field in
            try await authGuard(context)
            return try await resolve(source, arguments, context, field)
        }
    }
}
