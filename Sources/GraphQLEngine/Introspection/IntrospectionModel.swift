// SPDX-License-Identifier: Apache-2.0
import GraphQL
import OrderedCollections

/// A schema as introspection describes it, computed once per schema so that answering `__schema` and `__type` is
/// reading values: every list already in the order graphql-js gives it, every default already a GraphQL literal.
/// Types refer to each other by name (no reference cycles between model objects).
final class IntrospectionModel: Sendable {
    let description: String?
    /// Every named type, in graphql-js' type-map order (see `TypeOrder`).
    let typeNames: [String]
    let types: [String: IntrospectedNamedType]
    let queryType: String?
    let mutationType: String?
    let subscriptionType: String?
    let directives: [IntrospectedDirective]

    /// The type thunks of a schema GraphQLSwift built and validated do not throw; a part that did would be left out.
    init(_ schema: GraphQLSchema) {
        // GraphQLSwift keeps the schema's description internal; its own introspection reads it the same way.
        description = Mirror(reflecting: schema).descendant("description") as? String
        typeNames = (try? TypeOrder.graphQLJS(schema)) ?? Array(schema.typeMap.keys)
        let implementations = (try? Self.implementations(schema, order: typeNames)) ?? [:]
        var types: [String: IntrospectedNamedType] = [:]
        for name in typeNames {
            guard let type = schema.getType(name: name) else { continue }
            types[name] = try? IntrospectedNamedType(type, implementations: implementations[name])
        }
        self.types = types
        queryType = schema.queryType?.name
        mutationType = schema.mutationType?.name
        subscriptionType = schema.subscriptionType?.name
        directives = schema.directives.compactMap { try? IntrospectedDirective($0) }
    }

    /// The object types implementing each interface, in type-map order (graphql-js' `getPossibleTypes`).
    private static func implementations(_ schema: GraphQLSchema, order: [String]) throws -> [String: [String]] {
        var implementations: [String: [String]] = [:]
        for name in order {
            guard let object = schema.getType(name: name) as? GraphQLObjectType else { continue }
            for interface in try object.interfaces() { implementations[interface.name, default: []].append(name) }
        }
        return implementations
    }
}

/// A type reference as `__Type` shows it: a named type or a wrapper whose `ofType` is the next reference in.
indirect enum IntrospectedTypeReference: Sendable, Equatable {
    case named(String)
    case list(IntrospectedTypeReference)
    case nonNull(IntrospectedTypeReference)

    init(_ type: any GraphQLType) {
        switch type {
        case let nonNull as GraphQLNonNull: self = .nonNull(IntrospectedTypeReference(nonNull.ofType))
        case let list as GraphQLList: self = .list(IntrospectedTypeReference(list.ofType))
        case let named as any GraphQLNamedType: self = .named(named.name)
        default: self = .named(String(describing: type))
        }
    }
}

struct IntrospectedNamedType: Sendable {
    /// A `__TypeKind` value.
    let kind: String
    let name: String
    let description: String?
    let specifiedByURL: String?
    /// Objects and interfaces; nil for the other kinds, as introspection answers.
    let fields: [IntrospectedField]?
    let interfaces: [String]?
    /// Interfaces (implementing objects) and unions (members).
    let possibleTypes: [String]?
    let enumValues: [IntrospectedEnumValue]?
    let inputFields: [IntrospectedInputValue]?
    /// Input objects only.
    let isOneOf: Bool?

    init(_ type: any GraphQLNamedType, implementations: [String]?) throws {
        name = type.name
        description = SchemaDescriptions.of(type)
        let builtIn = type.name.hasPrefix("__")
        var specifiedByURL: String?
        var fields: [IntrospectedField]?
        var interfaces: [String]?
        var possibleTypes: [String]?
        var enumValues: [IntrospectedEnumValue]?
        var inputFields: [IntrospectedInputValue]?
        var isOneOf: Bool?
        switch type {
        case let scalar as GraphQLScalarType:
            kind = TypeKind.scalar.rawValue
            specifiedByURL = scalar.specifiedByURL
        case let object as GraphQLObjectType:
            kind = TypeKind.object.rawValue
            fields = try object.fields().map { try IntrospectedField(name: $0, field: $1, builtIn: builtIn) }
            interfaces = try object.interfaces().map(\.name)
        case let interface as GraphQLInterfaceType:
            kind = TypeKind.interface.rawValue
            fields = try interface.fields().map { try IntrospectedField(name: $0, field: $1, builtIn: builtIn) }
            interfaces = try interface.interfaces().map(\.name)
            possibleTypes = implementations ?? []
        case let union as GraphQLUnionType:
            kind = TypeKind.union.rawValue
            possibleTypes = try union.types().map(\.name)
        case let enumeration as GraphQLEnumType:
            kind = TypeKind.enum.rawValue
            enumValues = enumeration.values.map {
                IntrospectedEnumValue(name: $0.name, description: builtIn ? SchemaDescriptions.builtIn($0.description) : $0.description, deprecationReason: $0.deprecationReason)
            }
        case let input as GraphQLInputObjectType:
            kind = TypeKind.inputObject.rawValue
            inputFields = try input.fields().map { name, field in
                try IntrospectedInputValue(
                    name: name, description: field.description, type: field.type, deprecationReason: field.deprecationReason,
                    written: field.astNode?.defaultValue, defaultValue: field.defaultValue
                )
            }
            isOneOf = input.isOneOf
        default:
            kind = TypeKind.scalar.rawValue
        }
        self.specifiedByURL = specifiedByURL
        self.fields = fields
        self.interfaces = interfaces
        self.possibleTypes = possibleTypes
        self.enumValues = enumValues
        self.inputFields = inputFields
        self.isOneOf = isOneOf
    }
}

struct IntrospectedField: Sendable {
    let name: String
    let description: String?
    let arguments: [IntrospectedInputValue]
    let type: IntrospectedTypeReference
    let deprecationReason: String?

    /// `builtIn`: a field of an introspection type (see `SchemaDescriptions.builtIn`).
    init(name: String, field: GraphQLField, builtIn: Bool) throws {
        self.name = name
        description = builtIn ? SchemaDescriptions.builtIn(field.description) : field.description
        arguments = try field.args.map { name, argument in
            try IntrospectedInputValue(
                name: name, description: argument.description, type: argument.type, deprecationReason: argument.deprecationReason,
                written: argument.astNode?.defaultValue, defaultValue: argument.defaultValue
            )
        }
        type = IntrospectedTypeReference(field.type)
        deprecationReason = field.deprecationReason
    }
}

/// An argument or an input object's field.
struct IntrospectedInputValue: Sendable {
    let name: String
    let description: String?
    let type: IntrospectedTypeReference
    /// As a GraphQL literal (`"RED"` is written `RED`, an input object `{limit: 3}`).
    let defaultValue: String?
    let deprecationReason: String?

    init(name: String, description: String?, type: any GraphQLInputType, deprecationReason: String?, written: (any Value)?, defaultValue: Map?) throws {
        self.name = name
        self.description = description
        self.type = IntrospectedTypeReference(type)
        self.defaultValue = try GraphQLLiteral.defaultValue(written: written, value: defaultValue, type: type)
        self.deprecationReason = deprecationReason
    }
}

struct IntrospectedEnumValue: Sendable {
    let name: String
    let description: String?
    let deprecationReason: String?
}

struct IntrospectedDirective: Sendable {
    let name: String
    let description: String?
    let isRepeatable: Bool
    /// `__DirectiveLocation` values.
    let locations: [String]
    let arguments: [IntrospectedInputValue]

    init(_ directive: GraphQLDirective) throws {
        name = directive.name
        description = SchemaDescriptions.of(directive)
        isRepeatable = directive.isRepeatable
        locations = directive.locations.map(\.rawValue)
        arguments = try directive.args.map {
            try IntrospectedInputValue(
                name: $0.name, description: $0.description, type: $0.type, deprecationReason: $0.deprecationReason,
                written: $0.astNode?.defaultValue, defaultValue: $0.defaultValue
            )
        }
    }
}
