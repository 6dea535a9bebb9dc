// SPDX-License-Identifier: Apache-2.0
import GraphQL
import OrderedCollections

/// A field without a resolver reads its parent: a dictionary's entry or a property of the same name, as
/// GraphQLSwift's default resolver does.
public enum DefaultResolver {
    /// The entry or property `name` of `source` (one `Optional` level seen through), or nil when it has none.
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
