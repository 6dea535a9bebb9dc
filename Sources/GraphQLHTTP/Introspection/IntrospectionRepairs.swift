// SPDX-License-Identifier: Apache-2.0
import OrderedCollections
public import GraphQL
import Synchronization

/// GraphQLSwift 4.3.0's introspection types, made to answer graphql-js' full introspection query (the one GraphiQL,
/// codegen tools, IDE plugins, graphql-core and gql send) as graphql-js does:
/// - `__InputValue.isDeprecated` has no resolver there, so every query asking for it failed with "Cannot return
///   null for non-nullable field" (`inputValueDeprecation: true`); `deprecationReason` was always null;
/// - `includeDeprecated` on `__Field.args`, `__Directive.args` and `__Type.inputFields` was accepted and ignored;
/// - `defaultValue` of an input object's field was always null;
/// - fields and input fields came sorted by name, where graphql-js keeps the order the SDL defines them in.
///
/// The introspection types are one set per process, shared by every schema, so the repair is made once, before any
/// request (reassigning a type's `fields` is what GraphQLSwift picks up; setting a resolver alone is not).
public enum IntrospectionRepairs {
    private static let applied = Mutex(false)

    /// Repairs the introspection types `schema` (and every other schema of the process) uses. Idempotent.
    public static func apply(to schema: GraphQLSchema) {
        let first = applied.withLock { applied in
            defer { applied = true }
            return !applied
        }
        guard first else { return }
        patch(schema, "__InputValue") { fields in
            fields["isDeprecated"]?.resolve = { source, _, _, _ in deprecationReason(of: source) != nil }
            fields["deprecationReason"]?.resolve = { source, _, _, _ in deprecationReason(of: source) }
            fields["defaultValue"]?.resolve = { source, _, _, _ in try defaultValueLiteral(of: source) }
        }
        patch(schema, "__Field") { fields in
            fields["args"]?.resolve = { source, arguments, _, _ in
                (source as? GraphQLFieldDefinition).map { withoutDeprecated($0.args, unless: arguments) }
            }
        }
        patch(schema, "__Directive") { fields in
            fields["args"]?.resolve = { source, arguments, _, _ in
                (source as? GraphQLDirective).map { withoutDeprecated($0.args, unless: arguments) }
            }
        }
        patch(schema, "__Type") { fields in
            if let original = fields["inputFields"]?.resolve {
                fields["inputFields"]?.resolve = { source, arguments, context, info in
                    guard let all = try await original(source, arguments, context, info) as? [InputObjectFieldDefinition] else { return nil }
                    let order = ((source as? GraphQLInputObjectType).flatMap { try? $0.fields() }?.keys).map(Array.init) ?? []
                    let kept = arguments["includeDeprecated"].bool == true ? all : all.filter { $0.deprecationReason == nil }
                    return inDefinitionOrder(kept, order, name: \.name)
                }
            }
            if let original = fields["fields"]?.resolve {
                fields["fields"]?.resolve = { source, arguments, context, info in
                    guard let all = try await original(source, arguments, context, info) as? [GraphQLFieldDefinition] else { return nil }
                    let map: GraphQLFieldMap? =
                        switch source {
                        case let object as GraphQLObjectType: try? object.fields()
                        case let interface as GraphQLInterfaceType: try? interface.fields()
                        default: nil
                        }
                    return inDefinitionOrder(all, map.map { Array($0.keys) } ?? [], name: \.name)
                }
            }
        }
    }

    private static func patch(_ schema: GraphQLSchema, _ name: String, _ change: (inout GraphQLFieldMap) -> Void) {
        guard let type = schema.getType(name: name) as? GraphQLObjectType, var fields = try? type.fields() else { return }
        change(&fields)
        let repaired = fields
        type.fields = { repaired }
    }

    /// `items` in the order their names have in `order` (names not there last, as they were).
    private static func inDefinitionOrder<Item>(_ items: [Item], _ order: [String], name: (Item) -> String) -> [Item] {
        let position = Dictionary(order.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { first, _ in first })
        return items.enumerated().sorted { a, b in
            (position[name(a.element)] ?? Int.max, a.offset) < (position[name(b.element)] ?? Int.max, b.offset)
        }.map(\.element)
    }

    private static func deprecationReason(of inputValue: any Sendable) -> String? {
        switch inputValue {
        case let argument as GraphQLArgumentDefinition: argument.deprecationReason
        case let field as InputObjectFieldDefinition: field.deprecationReason
        default: nil
        }
    }

    private static func withoutDeprecated(_ arguments: [GraphQLArgumentDefinition], unless query: Map) -> [GraphQLArgumentDefinition] {
        query["includeDeprecated"].bool == true ? arguments : arguments.filter { $0.deprecationReason == nil }
    }

    private static func defaultValueLiteral(of inputValue: any Sendable) throws -> String? {
        switch inputValue {
        case let argument as GraphQLArgumentDefinition:
            try GraphQLLiteral.defaultValue(written: argument.astNode?.defaultValue, value: argument.defaultValue, type: argument.type)
        case let field as InputObjectFieldDefinition:
            try GraphQLLiteral.defaultValue(written: field.astNode?.defaultValue, value: field.defaultValue, type: field.type)
        default:
            nil
        }
    }
}
