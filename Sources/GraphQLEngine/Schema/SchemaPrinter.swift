// SPDX-License-Identifier: Apache-2.0
import Foundation
public import GraphQL
import OrderedCollections

/// A schema written back as SDL, as graphql-js' `printSchema` writes it: custom directives, then the types in its
/// order (`TypeOrder`; built-in scalars and introspection types left out), descriptions, `@deprecated`,
/// `@specifiedBy`, `@oneOf`, defaults as the SDL wrote them. GraphQLSwift 4.3.0's `printSchema` traps (`try!`) on an input-object default such as
/// `filter: Filter = {limit: 3}`.
public enum SchemaPrinter {
    static let builtInDirectives: Set<String> = ["skip", "include", "deprecated", "specifiedBy", "oneOf"]
    static let builtInScalars: Set<String> = ["String", "Int", "Float", "Boolean", "ID"]

    /// `schema` as SDL text ending in a newline. Throws what GraphQLSwift throws resolving a type's fields, interfaces
    /// or members.
    public static func print(_ schema: GraphQLSchema) throws -> String {
        var blocks: [String] = []
        if let definition = schemaDefinition(schema) { blocks.append(definition) }
        for directive in schema.directives where !builtInDirectives.contains(directive.name) {
            var text = description(SchemaDescriptions.of(directive), indentation: "") + "directive @\(directive.name)"
            text += try arguments(directive.args.map { ($0.name, $0.type, $0.description, $0.deprecationReason, try GraphQLLiteral.defaultValue(written: $0.astNode?.defaultValue, value: $0.defaultValue, type: $0.type)) }, indentation: "")
            if directive.isRepeatable { text += " repeatable" }
            text += " on " + directive.locations.map(\.rawValue).joined(separator: " | ")
            blocks.append(text)
        }
        for name in try TypeOrder.graphQLJS(schema) where !name.hasPrefix("__") && !builtInScalars.contains(name) {
            if let type = schema.getType(name: name) { blocks.append(try print(type)) }
        }
        return blocks.joined(separator: "\n\n") + "\n"
    }

    private static func schemaDefinition(_ schema: GraphQLSchema) -> String? {
        let roots = [("query", schema.queryType, "Query"), ("mutation", schema.mutationType, "Mutation"), ("subscription", schema.subscriptionType, "Subscription")]
        let conventional = roots.allSatisfy { $0.1 == nil || $0.1?.name == $0.2 }
        // GraphQLSwift keeps the schema's description internal (introspection reads it by reflection, and so do we).
        let schemaDescription = Mirror(reflecting: schema).descendant("description") as? String
        guard !conventional || schemaDescription != nil else { return nil }
        let fields = roots.compactMap { operation, type, _ in type.map { "  \(operation): \($0.name)" } }
        return description(schemaDescription, indentation: "") + "schema {\n" + fields.joined(separator: "\n") + "\n}"
    }

    private static func print(_ type: any GraphQLNamedType) throws -> String {
        let head = description(SchemaDescriptions.of(type), indentation: "")
        switch type {
        case let object as GraphQLObjectType:
            return head + "type \(object.name)" + implements(try object.interfaces()) + (try fields(object.fields()))
        case let interface as GraphQLInterfaceType:
            return head + "interface \(interface.name)" + implements(try interface.interfaces()) + (try fields(interface.fields()))
        case let union as GraphQLUnionType:
            let members = try union.types().map(\.name)
            return head + "union \(union.name)" + (members.isEmpty ? "" : " = " + members.joined(separator: " | "))
        case let enumeration as GraphQLEnumType:
            let values = enumeration.values.enumerated().map { index, value in
                description(value.description, indentation: "  ", first: index == 0) + "  \(value.name)" + deprecated(value.deprecationReason)
            }
            return head + "enum \(enumeration.name)" + block(values)
        case let input as GraphQLInputObjectType:
            var lines: [String] = []
            for (index, (name, field)) in try input.fields().enumerated() {
                let value = try GraphQLLiteral.defaultValue(written: field.astNode?.defaultValue, value: field.defaultValue, type: field.type)
                lines.append(
                    description(field.description, indentation: "  ", first: index == 0) + "  \(name): \(field.type)"
                        + (value.map { " = \($0)" } ?? "") + deprecated(field.deprecationReason)
                )
            }
            return head + "input \(input.name)" + (input.isOneOf ? " @oneOf" : "") + block(lines)
        case let scalar as GraphQLScalarType:
            return head + "scalar \(scalar.name)" + (scalar.specifiedByURL.map { " @specifiedBy(url: \(GraphQLLiteral.quoted($0)))" } ?? "")
        default:
            return head + "scalar \(type.name)"
        }
    }

    private static func implements(_ interfaces: [GraphQLInterfaceType]) -> String {
        interfaces.isEmpty ? "" : " implements " + interfaces.map(\.name).joined(separator: " & ")
    }

    private static func fields(_ fields: GraphQLFieldMap) throws -> String {
        var lines: [String] = []
        for (index, (name, field)) in fields.enumerated() {
            let args = try field.args.map { argumentName, argument in
                (argumentName, argument.type, argument.description, argument.deprecationReason, try GraphQLLiteral.defaultValue(written: argument.astNode?.defaultValue, value: argument.defaultValue, type: argument.type))
            }
            lines.append(
                description(field.description, indentation: "  ", first: index == 0) + "  \(name)"
                    + (try arguments(args, indentation: "  ")) + ": \(field.type)" + deprecated(field.deprecationReason)
            )
        }
        return block(lines)
    }

    private typealias ArgumentText = (name: String, type: any GraphQLInputType, description: String?, deprecationReason: String?, defaultValue: String?)

    private static func arguments(_ arguments: [ArgumentText], indentation: String) throws -> String {
        guard !arguments.isEmpty else { return "" }
        func line(_ argument: ArgumentText) -> String {
            "\(argument.name): \(argument.type)" + (argument.defaultValue.map { " = \($0)" } ?? "") + deprecated(argument.deprecationReason)
        }
        if arguments.allSatisfy({ $0.description == nil }) {
            return "(" + arguments.map(line).joined(separator: ", ") + ")"
        }
        let inner = indentation + "  "
        let lines = arguments.enumerated().map { index, argument in
            description(argument.description, indentation: inner, first: index == 0) + inner + line(argument)
        }
        return "(\n" + lines.joined(separator: "\n") + "\n" + indentation + ")"
    }

    private static func deprecated(_ reason: String?) -> String {
        guard let reason else { return "" }
        return reason == "No longer supported" ? " @deprecated" : " @deprecated(reason: \(GraphQLLiteral.quoted(reason)))"
    }

    private static func block(_ lines: [String]) -> String {
        lines.isEmpty ? "" : " {\n" + lines.joined(separator: "\n") + "\n}"
    }

    /// A description as graphql-js prints it (`printDescription`): a block string when the text can be one, on its
    /// own lines when it has several or is long, else a quoted string.
    private static func description(_ text: String?, indentation: String, first: Bool = true) -> String {
        guard let text else { return "" }
        let literal = isPrintableAsBlockString(text) ? blockString(text) : GraphQLLiteral.quoted(text)
        let prefix = !indentation.isEmpty && !first ? "\n" + indentation : indentation
        return prefix + literal.replacingOccurrences(of: "\n", with: "\n" + indentation) + "\n"
    }

    /// graphql-js' `printBlockString`.
    private static func blockString(_ value: String) -> String {
        let escaped = value.replacingOccurrences(of: "\"\"\"", with: "\\\"\"\"")
        // GraphQL's line terminators only (`Character.isNewline` has more); "\r\n" is one `Character`.
        let lines = escaped.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
        let isSingleLine = lines.count == 1
        let forceLeadingNewLine = lines.count > 1 && lines.dropFirst().allSatisfy { $0.isEmpty || $0.first == " " || $0.first == "\t" }
        let hasTrailingTripleQuotes = escaped.hasSuffix("\\\"\"\"")
        let forceTrailingNewLine = (value.hasSuffix("\"") && !hasTrailingTripleQuotes) || value.hasSuffix("\\")
        let multipleLines = !isSingleLine || value.utf16.count > 70 || forceTrailingNewLine || forceLeadingNewLine || hasTrailingTripleQuotes
        let skipLeadingNewLine = isSingleLine && (value.first == " " || value.first == "\t")
        let before = (multipleLines && !skipLeadingNewLine) || forceLeadingNewLine ? "\n" : ""
        let after = multipleLines || forceTrailingNewLine ? "\n" : ""
        return "\"\"\"" + before + escaped + after + "\"\"\""
    }

    /// graphql-js' `isPrintableAsBlockString`: no leading or trailing blank line, no indentation common to every
    /// line, no control character (a block string would not read back as the same text).
    private static func isPrintableAsBlockString(_ value: String) -> Bool {
        if value.isEmpty { return true }
        var isEmptyLine = true
        var hasIndent = false
        var hasCommonIndent = true
        var seenNonEmptyLine = false
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\n":
                if isEmptyLine && !seenNonEmptyLine { return false }
                seenNonEmptyLine = true
                isEmptyLine = true
                hasIndent = false
            case " ", "\t":
                hasIndent = hasIndent || isEmptyLine
            case _ where scalar.value <= 0x0F:
                return false
            default:
                hasCommonIndent = hasCommonIndent && hasIndent
                isEmptyLine = false
            }
        }
        return !isEmptyLine && !(hasCommonIndent && seenNonEmptyLine)
    }
}
