// SPDX-License-Identifier: Apache-2.0
public import GraphQL
import OrderedCollections

/// What a resolver learns about the field it resolves. The same for both executors, so a resolver does not know
/// which one calls it; the path is built only when asked for.
public struct FieldInfo: Sendable {
    let field: FieldDescription
    let parentPath: ResponsePath?

    public var fieldName: String { field.fieldName }
    public var parentType: any GraphQLCompositeType { field.parentType }
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
    public var fields: [String: FieldResolver] = [:]
    /// Resolvers that never wait; a coordinate is in `fields` or here, not both.
    public var synchronousFields: [String: SynchronousFieldResolver] = [:]
    public var types: [String: TypeResolver] = [:]

    public init(
        fields: [String: FieldResolver] = [:],
        synchronousFields: [String: SynchronousFieldResolver] = [:],
        types: [String: TypeResolver] = [:]
    ) {
        self.fields = fields
        self.synchronousFields = synchronousFields
        self.types = types
    }

    /// The object type name for `value` of the abstract type `abstractName`: its type resolver's answer, else a
    /// `__typename` entry of a dictionary value (the convention graphql-tools' resolvers follow).
    public func typeName(of value: any Sendable, abstractType abstractName: String, context: any Sendable) throws -> String? {
        if let resolve = types[abstractName] { return try resolve(value, context) }
        return DefaultResolver.value(named: "__typename", in: value) as? String
    }

    /// Adapts `resolve` for GraphQLSwift's `execute`. A `GraphQLError` the resolver throws without a path gets the
    /// field's path and locations, as the plan executor gives it (GraphQLSwift passes it through bare).
    public static func referenceResolve(_ resolve: @escaping FieldResolver) -> GraphQLFieldResolve {
        return { source, arguments, context, info in
            do {
                return try await resolve(source, arguments, context, FieldInfo(info))
            } catch let error as GraphQLError where error.path.elements.isEmpty {
                throw GraphQLError(message: error.message, nodes: info.fieldASTs, path: info.path, extensions: error.extensions)
            }
        }
    }

    public static func referenceResolve(_ resolve: @escaping SynchronousFieldResolver) -> GraphQLFieldResolve {
        referenceResolve(asynchronous(resolve))
    }

    /// A synchronous resolver where an asynchronous one is expected.
    public static func asynchronous(_ resolve: @escaping SynchronousFieldResolver) -> FieldResolver {
        return { source, arguments, context, field in try resolve(source, arguments, context, field) }
    }

    /// A type resolver for GraphQLSwift's `resolveType` (for schemas built in code).
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
        self.parentPath = ResponsePath(info.path.elements.dropLast())
    }
}

/// A field without a resolver reads its parent: a dictionary's entry or a property of the same name, as
/// GraphQLSwift's default resolver does.
public enum DefaultResolver {
    public static func value(named name: String, in source: any Sendable) -> (any Sendable)? {
        guard let source = OptionalValue.unwrap(source) else { return nil }
        if let subscriptable = source as? any KeySubscriptable { return subscriptable[name] }
        if let dictionary = source as? [String: any Sendable] { return dictionary[name] }
        if let dictionary = source as? OrderedDictionary<String, any Sendable> { return dictionary[name] }
        guard let child = Mirror(reflecting: source).children.first(where: { $0.label == name }) else { return nil }
        return OptionalValue.unwrapAny(child.value)
    }
}

/// Resolver values arrive as `any Sendable`, which may box an `Optional`; these see through one level of it, as
/// GraphQLSwift's executor does.
enum OptionalValue {
    static func unwrap(_ value: any Sendable) -> (any Sendable)? {
        guard let optional = value as? any AnyOptional else { return value }
        return optional.wrappedAny.map(assumeSendable)
    }

    /// For values reached by reflection, which come as `Any`.
    static func unwrapAny(_ value: Any) -> (any Sendable)? {
        guard let optional = value as? any AnyOptional else { return assumeSendable(value) }
        return optional.wrappedAny.map(assumeSendable)
    }

    /// A part of a value that was `Sendable` is `Sendable` too. The runtime cannot check a marker protocol (a cast
    /// draws a warning that it always succeeds), and `Any` and `any Sendable` share their layout; `as Any` keeps
    /// Swift from opening the existential to its dynamic type.
    private static func assumeSendable(_ value: Any) -> any Sendable {
        unsafeBitCast(value as Any, to: (any Sendable).self)
    }
}

private protocol AnyOptional {
    var wrappedAny: Any? { get }
}

extension Optional: AnyOptional {
    fileprivate var wrappedAny: Any? { map { $0 as Any } }
}

/// A response path as a chain to the parent: extending it for a child costs one small allocation, and the array
/// form is built only for an error or a resolver that asks.
final class ResponsePath: Sendable {
    let parent: ResponsePath?
    let element: IndexPathValue

    init(parent: ResponsePath?, element: IndexPathValue) {
        self.parent = parent
        self.element = element
    }

    convenience init?(_ elements: some Collection<IndexPathValue>) {
        var node: ResponsePath?
        for element in elements { node = ResponsePath(parent: node, element: element) }
        guard let node else { return nil }
        self.init(parent: node.parent, element: node.element)
    }

    static func indexPath(_ path: ResponsePath?, appending last: IndexPathValue? = nil) -> IndexPath {
        var elements: [IndexPathValue] = last.map { [$0] } ?? []
        var node = path
        while let current = node {
            elements.append(current.element)
            node = current.parent
        }
        return IndexPath(elements.reversed())
    }
}
