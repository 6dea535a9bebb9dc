// SPDX-License-Identifier: Apache-2.0
public import GraphQL
import OrderedCollections

/// One difference between two versions of a schema that a client may notice.
public struct SchemaChange: Sendable, Equatable, CustomStringConvertible {
    /// How likely the change is to break a client.
    public enum Severity: String, Sendable {
        /// A query valid against the old schema may fail against the new one.
        case breaking
        /// Queries still validate, but a client may behave differently (a new enum value, a new default).
        case dangerous
    }

    /// Whether the change is breaking or only dangerous.
    public let severity: Severity
    /// The change in graphql-js' words, e.g. `Query.me was removed.`
    public let message: String

    /// The severity, then the message: `breaking: Query.me was removed.`
    public var description: String { "\(severity.rawValue): \(message)" }
}

/// The breaking and dangerous changes from `old` to `new`, as graphql-js' `findBreakingChanges` and
/// `findDangerousChanges` name them: removed types, fields, arguments, enum values, union members and interfaces;
/// changed kinds and types (a field's type may only become stricter, an argument's only looser); new required
/// arguments and input fields; changed argument defaults; new enum values, union members, interfaces and optional
/// arguments.
public enum SchemaChanges {
    /// Every breaking and dangerous change from `old` to `new`, type by type in name order, then the directives.
    public static func between(_ old: GraphQLSchema, _ new: GraphQLSchema) -> [SchemaChange] {
        var changes: [SchemaChange] = []
        func breaking(_ message: String) { changes.append(SchemaChange(severity: .breaking, message: message)) }
        func dangerous(_ message: String) { changes.append(SchemaChange(severity: .dangerous, message: message)) }

        for (name, oldType) in old.typeMap.sorted(by: { $0.key < $1.key }) where !name.hasPrefix("__") {
            guard let newType = new.typeMap[name] else {
                if !isBuiltInScalar(name) { breaking("\(name) was removed.") }
                continue
            }
            guard kind(oldType) == kind(newType) else {
                breaking("\(name) changed from \(article(kind(oldType))) to \(article(kind(newType))).")
                continue
            }
            switch (oldType, newType) {
            case (let oldObject as GraphQLObjectType, let newObject as GraphQLObjectType):
                compareFields(name, (try? oldObject.fields()) ?? [:], (try? newObject.fields()) ?? [:], breaking, dangerous)
                compareInterfaces(name, (try? oldObject.interfaces()) ?? [], (try? newObject.interfaces()) ?? [], breaking, dangerous)
            case (let oldInterface as GraphQLInterfaceType, let newInterface as GraphQLInterfaceType):
                compareFields(name, (try? oldInterface.fields()) ?? [:], (try? newInterface.fields()) ?? [:], breaking, dangerous)
                compareInterfaces(name, (try? oldInterface.interfaces()) ?? [], (try? newInterface.interfaces()) ?? [], breaking, dangerous)
            case (let oldInput as GraphQLInputObjectType, let newInput as GraphQLInputObjectType):
                let oldFields = (try? oldInput.fields()) ?? [:]
                let newFields = (try? newInput.fields()) ?? [:]
                for (field, definition) in oldFields {
                    guard let replacement = newFields[field] else { breaking("\(name).\(field) was removed."); continue }
                    if !isSafeForInput(definition.type, replacement.type) {
                        breaking("\(name).\(field) changed type from \(definition.type) to \(replacement.type).")
                    }
                }
                for (field, definition) in newFields where oldFields[field] == nil {
                    if definition.type is GraphQLNonNull, definition.defaultValue == nil {
                        breaking("A required field \(field) on input type \(name) was added.")
                    } else {
                        dangerous("An optional field \(field) on input type \(name) was added.")
                    }
                }
            case (let oldEnum as GraphQLEnumType, let newEnum as GraphQLEnumType):
                let newValues = Set(newEnum.values.map(\.name))
                let oldValues = Set(oldEnum.values.map(\.name))
                for value in oldEnum.values where !newValues.contains(value.name) { breaking("\(value.name) was removed from enum type \(name).") }
                for value in newEnum.values where !oldValues.contains(value.name) { dangerous("\(value.name) was added to enum type \(name).") }
            case (let oldUnion as GraphQLUnionType, let newUnion as GraphQLUnionType):
                let oldMembers = Set(((try? oldUnion.types()) ?? []).map(\.name))
                let newMembers = Set(((try? newUnion.types()) ?? []).map(\.name))
                for member in oldMembers.subtracting(newMembers).sorted() { breaking("\(member) was removed from union type \(name).") }
                for member in newMembers.subtracting(oldMembers).sorted() { dangerous("\(member) was added to union type \(name).") }
            default:
                break
            }
        }
        let newDirectives = Set(new.directives.map(\.name))
        for directive in old.directives where !newDirectives.contains(directive.name) {
            breaking("Directive @\(directive.name) was removed.")
        }
        return changes
    }

    private static func compareFields(
        _ typeName: String,
        _ oldFields: GraphQLFieldMap,
        _ newFields: GraphQLFieldMap,
        _ breaking: (String) -> Void,
        _ dangerous: (String) -> Void
    ) {
        for (field, definition) in oldFields {
            let coordinate = "\(typeName).\(field)"
            guard let replacement = newFields[field] else { breaking("\(coordinate) was removed."); continue }
            if !isSafeForOutput(definition.type, replacement.type) {
                breaking("\(coordinate) changed type from \(definition.type) to \(replacement.type).")
            }
            for (argument, oldArgument) in definition.args {
                guard let newArgument = replacement.args[argument] else { breaking("\(coordinate) arg \(argument) was removed."); continue }
                if !isSafeForInput(oldArgument.type, newArgument.type) {
                    breaking("\(coordinate) arg \(argument) has changed type from \(oldArgument.type) to \(newArgument.type).")
                } else if let oldDefault = oldArgument.defaultValue, oldDefault != newArgument.defaultValue {
                    dangerous("\(coordinate) arg \(argument) has changed defaultValue.")
                }
            }
            for (argument, newArgument) in replacement.args where definition.args[argument] == nil {
                if newArgument.type is GraphQLNonNull, newArgument.defaultValue == nil {
                    breaking("A required arg \(argument) on \(coordinate) was added.")
                } else {
                    dangerous("An optional arg \(argument) on \(coordinate) was added.")
                }
            }
        }
    }

    private static func compareInterfaces(
        _ typeName: String,
        _ old: [GraphQLInterfaceType],
        _ new: [GraphQLInterfaceType],
        _ breaking: (String) -> Void,
        _ dangerous: (String) -> Void
    ) {
        let oldNames = Set(old.map(\.name))
        let newNames = Set(new.map(\.name))
        for name in oldNames.subtracting(newNames).sorted() { breaking("\(typeName) no longer implements interface \(name).") }
        for name in newNames.subtracting(oldNames).sorted() { dangerous("\(name) added to interfaces implemented by \(typeName).") }
    }

    /// A field's type may become stricter (`String` → `String!`), never looser or different.
    private static func isSafeForOutput(_ old: any GraphQLType, _ new: any GraphQLType) -> Bool {
        switch old {
        case let list as GraphQLList:
            if let newList = new as? GraphQLList { return isSafeForOutput(list.ofType, newList.ofType) }
            if let newNonNull = new as? GraphQLNonNull { return isSafeForOutput(old, newNonNull.ofType) }
            return false
        case let nonNull as GraphQLNonNull:
            guard let newNonNull = new as? GraphQLNonNull else { return false }
            return isSafeForOutput(nonNull.ofType, newNonNull.ofType)
        default:
            if let newNonNull = new as? GraphQLNonNull { return isSafeForOutput(old, newNonNull.ofType) }
            return (old as? any GraphQLNamedType)?.name == (new as? any GraphQLNamedType)?.name && !(new is GraphQLList)
        }
    }

    /// An argument's or input field's type may become looser (`Int!` → `Int`), never stricter or different.
    private static func isSafeForInput(_ old: any GraphQLType, _ new: any GraphQLType) -> Bool {
        switch old {
        case let list as GraphQLList:
            guard let newList = new as? GraphQLList else { return false }
            return isSafeForInput(list.ofType, newList.ofType)
        case let nonNull as GraphQLNonNull:
            if let newNonNull = new as? GraphQLNonNull { return isSafeForInput(nonNull.ofType, newNonNull.ofType) }
            return isSafeForInput(nonNull.ofType, new)
        default:
            guard !(new is GraphQLList), !(new is GraphQLNonNull) else { return false }
            return (old as? any GraphQLNamedType)?.name == (new as? any GraphQLNamedType)?.name
        }
    }

    private static func kind(_ type: any GraphQLNamedType) -> String {
        switch type {
        case is GraphQLObjectType: "Object type"
        case is GraphQLInterfaceType: "Interface type"
        case is GraphQLUnionType: "Union type"
        case is GraphQLEnumType: "Enum type"
        case is GraphQLInputObjectType: "Input type"
        default: "Scalar type"
        }
    }

    private static func article(_ kind: String) -> String {
        (kind.first.map { "AEIOU".contains($0) } ?? false ? "an " : "a ") + kind
    }

    private static func isBuiltInScalar(_ name: String) -> Bool {
        ["String", "Int", "Float", "Boolean", "ID"].contains(name)
    }
}
