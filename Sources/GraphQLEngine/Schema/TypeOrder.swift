// SPDX-License-Identifier: Apache-2.0
import GraphQL
import OrderedCollections

/// The order graphql-js gives a schema's types (`GraphQLSchema`'s type map), which introspection's `__Schema.types`
/// and `printSchema` follow: the SDL's types in the order it defines them, each followed by the types it first
/// brings in (its interfaces, then per field the field's type before its arguments' types, union members, input
/// fields), then what the root types, the directives' arguments and the introspection types bring in.
/// GraphQLSwift collects the same way but visits a field's arguments before its type, so its order differs.
enum TypeOrder {
    static func graphQLJS(_ schema: GraphQLSchema) throws -> [String] {
        let defined = schema.typeMap.values
            .compactMap { type in definitionStart(of: type).map { (type, $0) } }
            .sorted { $0.1 < $1.1 }
            .map(\.0)
        var collected = OrderedSet(defined.map(\.name))
        for type in defined {
            // graphql-js removes the type and adds it back with what it references, keeping the SDL's order.
            collected.remove(type.name)
            try collect(type, into: &collected)
        }
        for root in [schema.queryType, schema.mutationType, schema.subscriptionType] {
            if let root { try collect(root, into: &collected) }
        }
        for directive in schema.directives {
            for argument in directive.args { try collect(argument.type, into: &collected) }
        }
        if let schemaType = schema.getType(name: "__Schema") { try collect(schemaType, into: &collected) }
        // Anything GraphQLSwift holds that nothing references (it keeps every type it is given) comes last.
        for name in schema.typeMap.keys where !collected.contains(name) { collected.append(name) }
        return Array(collected)
    }

    private static func collect(_ type: any GraphQLType, into collected: inout OrderedSet<String>) throws {
        let named: any GraphQLNamedType
        switch type {
        case let nonNull as GraphQLNonNull: return try collect(nonNull.ofType, into: &collected)
        case let list as GraphQLList: return try collect(list.ofType, into: &collected)
        case let type as any GraphQLNamedType: named = type
        default: return
        }
        guard collected.append(named.name).inserted else { return }
        switch named {
        case let union as GraphQLUnionType:
            for member in try union.types() { try collect(member, into: &collected) }
        case let object as GraphQLObjectType:
            try collect(interfaces: object.interfaces(), fields: object.fields(), into: &collected)
        case let interface as GraphQLInterfaceType:
            try collect(interfaces: interface.interfaces(), fields: interface.fields(), into: &collected)
        case let input as GraphQLInputObjectType:
            for field in try input.fields().values { try collect(field.type, into: &collected) }
        default:
            break
        }
    }

    private static func collect(interfaces: [GraphQLInterfaceType], fields: GraphQLFieldMap, into collected: inout OrderedSet<String>) throws {
        for interface in interfaces { try collect(interface, into: &collected) }
        for field in fields.values {
            try collect(field.type, into: &collected)
            for argument in field.args.values { try collect(argument.type, into: &collected) }
        }
    }

    /// Where the SDL defines `type`; nil for the built-in scalars and the introspection types.
    private static func definitionStart(of type: any GraphQLNamedType) -> Int? {
        let node: (any Node)? =
            switch type {
            case let object as GraphQLObjectType: object.astNode
            case let interface as GraphQLInterfaceType: interface.astNode
            case let enumeration as GraphQLEnumType: enumeration.astNode
            case let input as GraphQLInputObjectType: input.astNode
            case let scalar as GraphQLScalarType: scalar.astNode
            // GraphQLSwift keeps a union's `astNode` internal.
            default: Mirror(reflecting: type).descendant("astNode") as? any Node
            }
        return node?.loc?.start
    }
}
