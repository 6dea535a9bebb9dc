// SPDX-License-Identifier: Apache-2.0
import GraphQL
import OrderedCollections

/// Argument and variable values for the plan executor, as GraphQLSwift's executor computes them (its functions are
/// internal): the same `Map` for every valid input. Any input that GraphQLSwift would refuse throws `Invalid`, and the
/// request then runs on the reference executor, which words the error; no resolver has run by then.
enum InputCoercion {
    struct Invalid: Error {}

    /// The request's variables, coerced to the operation's declared types.
    static func variables(_ definitions: [VariableDefinition], inputs: [String: Map], schema: GraphQLSchema) throws(Invalid) -> [String: Map] {
        var values: [String: Map] = [:]
        for definition in definitions {
            guard let type = inputType(definition.type, schema: schema) else {
                throw Invalid()
            }
            var value = inputs[definition.variable.name.value] ?? .undefined
            if value == .undefined, let defaultValue = definition.defaultValue {
                value = try literal(defaultValue, type: type, variables: [:])
            }
            guard isValid(value, type) else { throw Invalid() }
            values[definition.variable.name.value] = try coerce(value, type)
        }
        return values
    }

    /// A field's or directive's arguments: every declared argument in declaration order, `.undefined` when absent
    /// without a default.
    static func arguments(_ definitions: GraphQLArgumentConfigMap, _ nodes: [Argument], variables: [String: Map]) throws(Invalid) -> Map {
        var arguments = OrderedDictionary<String, Map>()
        for (name, definition) in definitions {
            let value: Map
            if let node = nodes.first(where: { $0.name.value == name }) {
                value = try literal(node.value, type: definition.type, variables: variables)
            } else {
                value = definition.defaultValue ?? .undefined
            }
            guard isValid(value, definition.type) else { throw Invalid() }
            arguments[name] = value
        }
        return .dictionary(arguments)
    }

    /// GraphQLSwift's `typeFromAST` (internal there) for a variable's declared type.
    static func inputType(_ node: any `Type`, schema: GraphQLSchema) -> (any GraphQLInputType)? {
        switch node {
        case let list as ListType: return inputType(list.type, schema: schema).map { GraphQLList($0) }
        case let nonNull as NonNullType:
            return inputType(nonNull.type, schema: schema).flatMap { $0 as? any GraphQLNullableType }.map { GraphQLNonNull($0) }
        case let named as NamedType: return schema.getType(name: named.name.value) as? any GraphQLInputType
        default: return nil
        }
    }

    /// Whether a value node mentions a variable (then its arguments are computed per request).
    static func mentionsVariable(_ value: any Value) -> Bool {
        switch value {
        case is Variable: return true
        case let list as ListValue: return list.values.contains(where: mentionsVariable)
        case let object as ObjectValue: return object.fields.contains { mentionsVariable($0.value) }
        default: return false
        }
    }

    /// A literal (or variable) in the document, read as `type`.
    static func literal(_ node: any Value, type: any GraphQLInputType, variables: [String: Map]) throws(Invalid) -> Map {
        if let nonNull = type as? GraphQLNonNull {
            guard !(node is NullValue), let inner = nonNull.ofType as? any GraphQLInputType else { throw Invalid() }
            return try literal(node, type: inner, variables: variables)
        }
        if node is NullValue { return .null }
        if let variable = node as? Variable { return variables[variable.name.value] ?? .undefined }
        if let list = type as? GraphQLList {
            guard let itemType = list.ofType as? any GraphQLInputType else { throw Invalid() }
            if let values = node as? ListValue {
                var items: [Map] = []
                for item in values.values { items.append(try literal(item, type: itemType, variables: variables)) }
                return .array(items)
            }
            return .array([try literal(node, type: itemType, variables: variables)])
        }
        if let objectType = type as? GraphQLInputObjectType {
            guard let object = node as? ObjectValue, let fields = try? objectType.fields() else { throw Invalid() }
            var values = OrderedDictionary<String, Map>()
            for (name, field) in fields {
                if let fieldNode = object.fields.first(where: { $0.name.value == name }) {
                    values[name] = try literal(fieldNode.value, type: field.type, variables: variables)
                } else {
                    values[name] = field.defaultValue ?? .undefined
                }
            }
            if objectType.isOneOf { throw Invalid() }  // rare; the reference executor has its own rules for it
            return .dictionary(values)
        }
        if let leafType = type as? any GraphQLLeafType {
            return (try? leafType.parseLiteral(valueAST: node)) ?? .null
        }
        throw Invalid()
    }

    /// GraphQLSwift's `validate(value:forType:)`, answering only whether it finds no problem.
    static func isValid(_ value: Map, _ type: any GraphQLInputType) -> Bool {
        if let nonNull = type as? GraphQLNonNull {
            guard value != .null, value != .undefined, let inner = nonNull.ofType as? any GraphQLInputType else { return false }
            return isValid(value, inner)
        }
        if value == .null || value == .undefined { return true }
        if let list = type as? GraphQLList {
            guard let itemType = list.ofType as? any GraphQLInputType else { return false }
            if case .array(let items) = value { return items.allSatisfy { isValid($0, itemType) } }
            return isValid(value, itemType)
        }
        if let objectType = type as? GraphQLInputObjectType {
            guard !objectType.isOneOf, case .dictionary(let entries) = value, let fields = try? objectType.fields() else { return false }
            guard entries.keys.allSatisfy({ fields[$0] != nil }) else { return false }
            return fields.allSatisfy { name, field in isValid(entries[name] ?? .undefined, field.type) }
        }
        if let leafType = type as? any GraphQLLeafType {
            guard let parsed = try? leafType.parseValue(value: value) else { return false }
            return parsed != .null && parsed != .undefined
        }
        return false
    }

    /// GraphQLSwift's `coerceValue` for a value `isValid` accepted.
    static func coerce(_ value: Map, _ type: any GraphQLInputType) throws(Invalid) -> Map {
        if let nonNull = type as? GraphQLNonNull {
            guard let inner = nonNull.ofType as? any GraphQLInputType else { throw Invalid() }
            return try coerce(value, inner)
        }
        if value == .undefined || value == .null { return value }
        if let list = type as? GraphQLList {
            guard let itemType = list.ofType as? any GraphQLInputType else { throw Invalid() }
            if case .array(let items) = value {
                var coerced: [Map] = []
                for item in items { coerced.append(try coerce(item, itemType)) }
                return .array(coerced)
            }
            return .array([try coerce(value, itemType)])
        }
        if let objectType = type as? GraphQLInputObjectType {
            guard case .dictionary(let entries) = value, let fields = try? objectType.fields() else { throw Invalid() }
            var object = OrderedDictionary<String, Map>()
            for (name, field) in fields {
                if let entry = entries[name], entry != .undefined {
                    object[name] = try coerce(entry, field.type)
                } else {
                    object[name] = field.defaultValue ?? Map.undefined
                }
            }
            return .dictionary(object)
        }
        if let leafType = type as? any GraphQLLeafType {
            guard let parsed = try? leafType.parseValue(value: value) else { throw Invalid() }
            return parsed
        }
        throw Invalid()
    }
}
