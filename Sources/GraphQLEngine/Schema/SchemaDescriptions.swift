// SPDX-License-Identifier: Apache-2.0
import Foundation
import GraphQL

/// Descriptions as the schema's readers (introspection, `schema print`) show them.
enum SchemaDescriptions {
    static func of(_ type: any GraphQLNamedType) -> String? {
        // GraphQLSwift 4.3.0's `Float` links the Wikipedia page over http and ends with a space; graphql-js' does not.
        if type as AnyObject === GraphQLFloat {
            return "The `Float` scalar type represents signed double-precision fractional values as specified by "
                + "[IEEE 754](https://en.wikipedia.org/wiki/IEEE_floating_point)."
        }
        let description: String? =
            switch type {
            case let object as GraphQLObjectType: object.description
            case let interface as GraphQLInterfaceType: interface.description
            case let union as GraphQLUnionType: union.description
            case let enumeration as GraphQLEnumType: enumeration.description
            case let input as GraphQLInputObjectType: input.description
            case let scalar as GraphQLScalarType: scalar.description
            default: nil
            }
        return type.name.hasPrefix("__") ? builtIn(description) : description
    }

    /// GraphQLSwift 4.3.0 writes the backticks in the descriptions of its introspection types and specified
    /// directives escaped (`\``); the specification's definitions, and graphql-js, have plain ones.
    static func builtIn(_ description: String?) -> String? {
        description?.replacingOccurrences(of: "\\`", with: "`")
    }

    static func of(_ directive: GraphQLDirective) -> String? {
        let specified = [GraphQLIncludeDirective, GraphQLSkipDirective, GraphQLDeprecatedDirective, GraphQLSpecifiedByDirective, GraphQLOneOfDirective]
        return specified.contains { $0 === directive } ? builtIn(directive.description) : directive.description
    }
}
