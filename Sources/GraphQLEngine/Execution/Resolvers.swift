// SPDX-License-Identifier: Apache-2.0
public import GraphQL
import OrderedCollections

/// What a resolver learns about the field it resolves. The same for both executors, so a resolver does not know
/// which one calls it; the path is built only when asked for.
public struct FieldInfo: Sendable {
    let field: FieldDescription
    let parentPath: ResponsePath?

    /// The field's name in the schema, not the alias the query may give it.
    public var fieldName: String { field.fieldName }
    /// The type the field is resolved on: the object type of the parent value.
    public var parentType: any GraphQLCompositeType { field.parentType }
    /// The field's declared type, with its list and non-null wrappers.
    public var returnType: any GraphQLOutputType { field.returnType }
    /// The response path of the field, e.g. `["items", 3, "name"]`.
    public var path: IndexPath { ResponsePath.indexPath(parentPath, appending: .key(field.responseKey)) }
}

/// The parts of `FieldInfo` that do not change from one request to the next: a plan keeps one per field, so handing
/// a resolver its `FieldInfo` costs two references.
final class FieldDescription: @unchecked Sendable {
    // @unchecked: GraphQLSwift's type classes are immutable once the schema is validated.
    let fieldName: String
    let responseKey: String
    let parentType: any GraphQLCompositeType
    let returnType: any GraphQLOutputType

    init(fieldName: String, responseKey: String, parentType: any GraphQLCompositeType, returnType: any GraphQLOutputType) {
        self.fieldName = fieldName
        self.responseKey = responseKey
        self.parentType = parentType
        self.returnType = returnType
    }
}

/// Resolves one field: the parent's value, the field's coerced arguments, the request's context.
public typealias FieldResolver =
    @Sendable (_ source: any Sendable, _ arguments: Map, _ context: any Sendable, _ field: FieldInfo) async throws -> (
        any Sendable
    )?

/// A resolver that never waits (computes from its parent or arguments): the plan executor calls it without an
/// `async` call, which costs a fraction of a microsecond on every field it resolves.
public typealias SynchronousFieldResolver =
    @Sendable (_ source: any Sendable, _ arguments: Map, _ context: any Sendable, _ field: FieldInfo) throws -> (
        any Sendable
    )?

/// Names the object type of a value returned where the schema expects an interface or a union.
public typealias TypeResolver = @Sendable (_ value: any Sendable, _ context: any Sendable) throws -> String?

/// The API's resolvers, by `Type.field` coordinate, and its type resolvers, by interface or union name. Both
/// executors use them: the plan executor calls them directly, the reference executor through `referenceResolve`.
public struct Resolvers: Sendable {
    /// Resolvers that may wait (`async`), by `Type.field` coordinate.
    public var fields: [String: FieldResolver] = [:]
    /// Resolvers that never wait; a coordinate is in `fields` or here, not both.
    public var synchronousFields: [String: SynchronousFieldResolver] = [:]
    /// Type resolvers, by interface or union name.
    public var types: [String: TypeResolver] = [:]

    /// Resolvers from the given maps; each defaults to empty.
    public init(
        fields: [String: FieldResolver] = [:],
        synchronousFields: [String: SynchronousFieldResolver] = [:],
        types: [String: TypeResolver] = [:]
    ) {
        self.fields = fields
        self.synchronousFields = synchronousFields
        self.types = types
    }

    /// These resolvers and introspection's (`__schema`, `__type`, and the fields of the `__` types), which the plan
    /// executor plans and runs like the API's own.
    package func withIntrospection(of schema: GraphQLSchema) -> Resolvers {
        var resolvers = self
        for (coordinate, resolve) in IntrospectionResolvers.synchronousFields(IntrospectionModel(schema)) {
            resolvers.fields[coordinate] = nil
            resolvers.synchronousFields[coordinate] = resolve
        }
        return resolvers
    }

    /// The object type name for `value` of the abstract type `abstractName`: its type resolver's answer, else a
    /// `__typename` entry of a dictionary value (the convention graphql-tools' resolvers follow).
    public func typeName(of value: any Sendable, abstractType abstractName: String, context: any Sendable) throws -> String? {
        if let resolve = types[abstractName] { return try resolve(value, context) }
        return DefaultResolver.value(named: "__typename", in: value) as? String
    }

    /// Adapts `resolve` for GraphQLSwift's `execute`. A `GraphQLError` the resolver throws without a path gets the
    /// field's path and locations, as the plan executor gives it (GraphQLSwift passes it through bare); rows
    /// (`ColumnarRows`) become the array of items GraphQLSwift expects of a list.
    public static func referenceResolve(_ resolve: @escaping FieldResolver) -> GraphQLFieldResolve {
        return { source, arguments, context, info in
            do {
                let value = try await resolve(source, arguments, context, FieldInfo(info))
                if let rows = value as? any ColumnarRows { return rows.items }
                return value
            } catch let error as GraphQLError where error.path.elements.isEmpty {
                throw GraphQLError.located(error.message, at: info.fieldASTs, path: info.path, extensions: error.extensions)
            }
        }
    }

    /// `referenceResolve` for a resolver that never waits.
    public static func referenceResolve(_ resolve: @escaping SynchronousFieldResolver) -> GraphQLFieldResolve {
        referenceResolve(asynchronous(resolve))
    }

    /// A synchronous resolver where an asynchronous one is expected.
    public static func asynchronous(_ resolve: @escaping SynchronousFieldResolver) -> FieldResolver {
        return { source, arguments, context, field in try resolve(source, arguments, context, field) }
    }

    /// A type resolver for GraphQLSwift's `resolveType` (for schemas built in code). GraphQLSwift does not hand
    /// `resolveType` the request context, so the type resolver gets `()` there.
    public func referenceResolveType(_ abstractName: String) -> GraphQLTypeResolve {
        return { value, info in
            guard let name = try typeName(of: value, abstractType: abstractName, context: ()) else {
                throw GraphQLError(message: "Could not find a resolve function.")
            }
            return name
        }
    }
}

extension FieldInfo {
    /// GraphQLSwift's description of the field, for its executor.
    init(_ info: GraphQLResolveInfo) {
        let key = info.path.elements.last.flatMap { if case .key(let key) = $0 { key } else { nil } } ?? info.fieldName
        self.field = FieldDescription(fieldName: info.fieldName, responseKey: key, parentType: info.parentType, returnType: info.returnType)
        self.parentPath = ResponsePath.chain(info.path.elements.dropLast())
    }
}
