// SPDX-License-Identifier: Apache-2.0
import GraphQL
import OrderedCollections

/// The resolvers of the introspection fields (`__schema`, `__type` and every field of `__Schema`, `__Type`,
/// `__Field`, `__InputValue`, `__EnumValue`, `__Directive`), reading an `IntrospectionModel`. The plan executor
/// calls them as synchronous resolvers like any other; `ReferenceIntrospection` hands the same ones to GraphQLSwift.
///
/// Values: `__Schema` is the model, `__Type` an `IntrospectedTypeReference`, `__Field` an `IntrospectedField`,
/// `__InputValue` an `IntrospectedInputValue`, `__EnumValue` an `IntrospectedEnumValue`, `__Directive` an
/// `IntrospectedDirective`.
enum IntrospectionResolvers {
    typealias Resolve = @Sendable (_ source: any Sendable, _ arguments: Map, _ model: IntrospectionModel) -> (any Sendable)?

    /// The root fields every query type has; the planner's coordinates for them have no type name.
    static let schemaField = "__schema"
    static let typeField = "__type"

    /// The definitions of the root fields (GraphQLSwift keeps its own internal).
    static func rootDefinition(_ name: String, in schema: GraphQLSchema) -> GraphQLField? {
        switch name {
        case schemaField:
            guard let type = schema.getType(name: "__Schema") as? GraphQLObjectType else { return nil }
            return GraphQLField(type: GraphQLNonNull(type), description: "Access the current type schema of this server.")
        case typeField:
            guard let type = schema.getType(name: "__Type") as? GraphQLObjectType else { return nil }
            return GraphQLField(
                type: type, description: "Request the type information of a single type.",
                args: ["name": GraphQLArgument(type: GraphQLNonNull(GraphQLString))]
            )
        default:
            return nil
        }
    }

    /// Every resolver for `model`, by coordinate, ready for `Resolvers.synchronousFields`.
    static func synchronousFields(_ model: IntrospectionModel) -> [String: SynchronousFieldResolver] {
        table.mapValues { resolve in { source, arguments, _, _ in resolve(source, arguments, model) } }
    }

    static let table: [String: Resolve] = [
        schemaField: { _, _, model in model },
        typeField: { _, arguments, model in
            guard case .string(let name) = arguments["name"], model.types[name] != nil else { return nil }
            return IntrospectedTypeReference.named(name)
        },

        "__Schema.description": { _, _, model in model.description },
        "__Schema.types": { _, _, model in model.typeNames.map { IntrospectedTypeReference.named($0) } as [(any Sendable)?] },
        "__Schema.queryType": { _, _, model in model.queryType.map(IntrospectedTypeReference.named) },
        "__Schema.mutationType": { _, _, model in model.mutationType.map(IntrospectedTypeReference.named) },
        "__Schema.subscriptionType": { _, _, model in model.subscriptionType.map(IntrospectedTypeReference.named) },
        "__Schema.directives": { _, _, model in model.directives as [(any Sendable)?] },

        "__Type.kind": { source, _, model in
            switch source as? IntrospectedTypeReference {
            case .list: TypeKind.list.rawValue
            case .nonNull: TypeKind.nonNull.rawValue
            case .named(let name): model.types[name]?.kind
            case nil: nil
            }
        },
        "__Type.name": { source, _, model in named(source, model)?.name },
        "__Type.description": { source, _, model in named(source, model)?.description },
        "__Type.specifiedByURL": { source, _, model in named(source, model)?.specifiedByURL },
        "__Type.fields": { source, arguments, model in
            named(source, model)?.fields.map { including($0, arguments, \.deprecationReason) }
        },
        "__Type.interfaces": { source, _, model in named(source, model)?.interfaces.map(references) },
        "__Type.possibleTypes": { source, _, model in named(source, model)?.possibleTypes.map(references) },
        "__Type.enumValues": { source, arguments, model in
            named(source, model)?.enumValues.map { including($0, arguments, \.deprecationReason) }
        },
        "__Type.inputFields": { source, arguments, model in
            named(source, model)?.inputFields.map { including($0, arguments, \.deprecationReason) }
        },
        "__Type.ofType": { source, _, _ in
            switch source as? IntrospectedTypeReference {
            case .list(let inner), .nonNull(let inner): inner
            default: nil
            }
        },
        "__Type.isOneOf": { source, _, model in named(source, model)?.isOneOf },

        "__Field.name": { source, _, _ in (source as? IntrospectedField)?.name },
        "__Field.description": { source, _, _ in (source as? IntrospectedField)?.description },
        "__Field.args": { source, arguments, _ in
            (source as? IntrospectedField).map { including($0.arguments, arguments, \.deprecationReason) }
        },
        "__Field.type": { source, _, _ in (source as? IntrospectedField)?.type },
        "__Field.isDeprecated": { source, _, _ in (source as? IntrospectedField).map { $0.deprecationReason != nil } },
        "__Field.deprecationReason": { source, _, _ in (source as? IntrospectedField)?.deprecationReason },

        "__InputValue.name": { source, _, _ in (source as? IntrospectedInputValue)?.name },
        "__InputValue.description": { source, _, _ in (source as? IntrospectedInputValue)?.description },
        "__InputValue.type": { source, _, _ in (source as? IntrospectedInputValue)?.type },
        "__InputValue.defaultValue": { source, _, _ in (source as? IntrospectedInputValue)?.defaultValue },
        "__InputValue.isDeprecated": { source, _, _ in (source as? IntrospectedInputValue).map { $0.deprecationReason != nil } },
        "__InputValue.deprecationReason": { source, _, _ in (source as? IntrospectedInputValue)?.deprecationReason },

        "__EnumValue.name": { source, _, _ in (source as? IntrospectedEnumValue)?.name },
        "__EnumValue.description": { source, _, _ in (source as? IntrospectedEnumValue)?.description },
        "__EnumValue.isDeprecated": { source, _, _ in (source as? IntrospectedEnumValue).map { $0.deprecationReason != nil } },
        "__EnumValue.deprecationReason": { source, _, _ in (source as? IntrospectedEnumValue)?.deprecationReason },

        "__Directive.name": { source, _, _ in (source as? IntrospectedDirective)?.name },
        "__Directive.description": { source, _, _ in (source as? IntrospectedDirective)?.description },
        "__Directive.isRepeatable": { source, _, _ in (source as? IntrospectedDirective)?.isRepeatable },
        "__Directive.locations": { source, _, _ in (source as? IntrospectedDirective)?.locations as [(any Sendable)?]? },
        "__Directive.args": { source, arguments, _ in
            (source as? IntrospectedDirective).map { including($0.arguments, arguments, \.deprecationReason) }
        },
    ]

    private static func named(_ source: any Sendable, _ model: IntrospectionModel) -> IntrospectedNamedType? {
        guard case .named(let name) = source as? IntrospectedTypeReference else { return nil }
        return model.types[name]
    }

    private static func references(_ names: [String]) -> [(any Sendable)?] {
        names.map { IntrospectedTypeReference.named($0) }
    }

    /// `items` without the deprecated ones unless the query says `includeDeprecated: true`.
    private static func including<Item: Sendable>(_ items: [Item], _ arguments: Map, _ reason: (Item) -> String?) -> [(any Sendable)?] {
        if arguments["includeDeprecated"] == .bool(true) { return items }
        return items.filter { reason($0) == nil }
    }
}
