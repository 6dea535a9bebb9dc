// SPDX-License-Identifier: Apache-2.0
public import GraphQL
import GraphQLHTTP
public import Kratos
public import GraphQLEngine

/// One call of a resolver bound with `ResolverRegistry.resolve`: the parent's value, the field's arguments (decoded
/// into `Arguments`), the request, and the field.
public struct FieldCall<Arguments: Sendable>: Sendable {
    /// The value the parent field's resolver returned (`()` for a root field).
    public let parent: any Sendable
    /// The field's arguments, coerced by GraphQL (defaults applied) and decoded.
    public let arguments: Arguments
    /// The request: its id, its session credential, the client's address.
    public let context: RequestContext
    /// The field: its name, parent and return types, response path.
    public let field: FieldInfo

    /// A call from its parts; the registry's bindings build one for each resolution.
    public init(parent: any Sendable, arguments: Arguments, context: RequestContext, field: FieldInfo) {
        self.parent = parent
        self.arguments = arguments
        self.context = context
        self.field = field
    }

    /// The parent's value as the type its resolver returned; an internal error if it is not one.
    public func parent<Parent>(as type: Parent.Type) throws -> Parent {
        guard let parent = parent as? Parent else {
            throw InternalResolverError(description: "\(field.parentType).\(field.fieldName): parent is \(Swift.type(of: parent)), not \(Parent.self)")
        }
        return parent
    }

    /// The signed-in identity (Kratos' session check, once per request), or an `UNAUTHENTICATED` error.
    public func identity() async throws -> KratosIdentity {
        guard let identity = try await context.requireSession().identity else { throw AccountErrors.unauthenticated() }
        return identity
    }
}

/// Arguments of a field that has none, or whose arguments the resolver ignores.
public struct NoArguments: Decodable, Sendable {
    /// The only value: it holds nothing.
    public init() {}
}

/// What went wrong on the server's side of a resolver: logged with its description, answered as
/// `INTERNAL_SERVER_ERROR` without it.
struct InternalResolverError: Error, CustomStringConvertible {
    let description: String
}

/// Errors a resolver throws for the client to read: each keeps its message and `extensions.code` in the response.
/// Anything else a resolver throws is logged and answered as `INTERNAL_SERVER_ERROR`, without its text.
public enum APIError {
    /// An error with `extensions.code` set to `code` (`NOT_FOUND`, `CONFLICT`, or one of the app's own).
    public static func coded(_ code: String, _ message: String, extensions: [String: Map] = [:]) -> GraphQLError {
        var all = extensions
        all["code"] = .string(code)
        return GraphQLError(message: message, extensions: all)
    }

    /// `NOT_FOUND`: also the answer for what exists but is not the caller's, so that its existence is not revealed.
    public static func notFound(_ message: String = "Not found") -> GraphQLError { coded(ErrorCode.notFound, message) }

    /// `BAD_USER_INPUT`: arguments GraphQL accepted but the API refuses (an empty title, a date in the past).
    public static func badUserInput(_ message: String) -> GraphQLError { coded(ErrorCode.badUserInput, message) }

    /// `FORBIDDEN`: signed in, but not allowed.
    public static func forbidden(_ message: String = "This is not allowed for this session") -> GraphQLError { coded(ErrorCode.forbidden, message) }
}

extension ResolverRegistry {
    /// Binds an `async` resolver to `coordinate` (`"Query.note"`), its arguments decoded into `Arguments` (a
    /// `Decodable` struct whose properties are named like the field's arguments; optional ones may be absent).
    ///
    /// ```swift
    /// struct NoteID: Decodable, Sendable { let id: ID }
    /// resolvers.resolve("Query.note", arguments: NoteID.self) { call in
    ///     try await notes.find(call.arguments.id, owner: call.identity().id) ?? { throw APIError.notFound() }()
    /// }
    /// ```
    /// Return the field's value: a scalar, an array, a dictionary or any struct or class whose properties are named
    /// like the fields below (those without a resolver read them), or nil for null.
    public mutating func resolve<Arguments: Decodable & Sendable>(
        _ coordinate: String,
        arguments: Arguments.Type,
        _ resolve: @escaping @Sendable (FieldCall<Arguments>) async throws -> (any Sendable)?
    ) {
        bind(coordinate) { parent, arguments, context, field in
            try await resolve(FieldCall(parent: parent, arguments: try Self.decode(arguments, coordinate), context: try RequestContext.of(context), field: field))
        }
    }

    /// Binds an `async` resolver that reads no arguments, or reads them as GraphQL values (`call.arguments["first"]`).
    public mutating func resolve(_ coordinate: String, _ resolve: @escaping @Sendable (FieldCall<Map>) async throws -> (any Sendable)?) {
        bind(coordinate) { parent, arguments, context, field in
            try await resolve(FieldCall(parent: parent, arguments: arguments, context: try RequestContext.of(context), field: field))
        }
    }

    /// Binds a resolver that never waits (it computes from its parent or arguments): the plan executor calls it
    /// without an `async` call.
    public mutating func resolveSynchronously<Arguments: Decodable & Sendable>(
        _ coordinate: String,
        arguments: Arguments.Type,
        _ resolve: @escaping @Sendable (FieldCall<Arguments>) throws -> (any Sendable)?
    ) {
        bindSynchronous(coordinate) { parent, arguments, context, field in
            try resolve(FieldCall(parent: parent, arguments: try Self.decode(arguments, coordinate), context: try RequestContext.of(context), field: field))
        }
    }

    private static func decode<Arguments: Decodable>(_ arguments: Map, _ coordinate: String) throws -> Arguments {
        do {
            return try MapDecoder().decode(Arguments.self, from: arguments)
        } catch {
            throw InternalResolverError(description: "\(coordinate): the arguments do not decode into \(Arguments.self): \(error)")
        }
    }
}
