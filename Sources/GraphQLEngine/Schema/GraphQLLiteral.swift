// SPDX-License-Identifier: Apache-2.0
import GraphQL
import OrderedCollections

/// A value of an input type written as a GraphQL literal, as graphql-js' `astFromValue` and `print` write it
/// (GraphQLSwift's own `astFromValue` is internal).
enum GraphQLLiteral {
    /// A default value as a GraphQL literal (`"you"`, `10`, `{limit: 3}`): as the SDL wrote it, as graphql-js 17
    /// and graphql-core 3.3 print it (not expanded with the input fields' own defaults); from the value for a
    /// schema built in code.
    static func defaultValue(written: (any Value)?, value: Map?, type: any GraphQLInputType) throws -> String? {
        if let written { return print(ast: written) }
        guard let value, value != .undefined else { return nil }
        return try text(of: value, as: type)
    }

    static func text(of value: Map, as type: any GraphQLInputType) throws -> String? {
        if let nonNull = type as? GraphQLNonNull, let inner = nonNull.ofType as? any GraphQLInputType {
            return try text(of: value, as: inner)
        }
        if value == .null { return "null" }
        if value == .undefined { return nil }
        if let list = type as? GraphQLList, let item = list.ofType as? any GraphQLInputType {
            guard case .array(let items) = value else { return try text(of: value, as: item) }
            return "[" + (try items.compactMap { try text(of: $0, as: item) }).joined(separator: ", ") + "]"
        }
        if let object = type as? GraphQLInputObjectType {
            guard case .dictionary(let entries) = value else { return nil }
            var fields: [String] = []
            for (name, field) in try object.fields() {
                guard let given = entries[name], let written = try text(of: given, as: field.type) else { continue }
                fields.append("\(name): \(written)")
            }
            return "{" + fields.joined(separator: ", ") + "}"
        }
        guard let leaf = type as? any GraphQLLeafType else { return nil }
        let serialized = try leaf.serialize(value: value)
        switch serialized {
        case .bool(let bool):
            return bool ? "true" : "false"
        case .number(let number):
            let double = number.doubleValue
            // Whole numbers as integers while exactly representable (and far from trapping `Int64(_:)`).
            if double.rounded() == double, abs(double) < 1e15 { return String(Int64(double)) }
            return "\(double)"
        case .string(let string):
            if leaf is GraphQLEnumType { return string }
            if leaf.name == "ID", !string.isEmpty, string.allSatisfy(\.isASCII), Int(string) != nil { return string }
            return quoted(string)
        default:
            return nil
        }
    }

    /// A GraphQL string literal: JSON's string syntax is GraphQL's, so the server's JSON writer writes it.
    static func quoted(_ string: String) -> String {
        var writer = JSONWriter(capacity: string.utf8.count + 2)
        writer.string(string)
        return String(decoding: writer.bytes, as: UTF8.self)
    }
}
