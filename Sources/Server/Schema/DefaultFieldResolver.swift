// SPDX-License-Identifier: Apache-2.0
import GraphQL
import OrderedCollections

/// What an `@auth` field without a resolver returns: the parent dictionary's entry of the same name. (GraphQLSwift's
/// default resolver, which also reads properties by reflection, is internal; it still serves every field that has no
/// wrapper.)
enum DefaultFieldResolver {
    static let resolve: GraphQLFieldResolve = { source, _, _, info in
        value(named: info.fieldName, in: source)
    }

    static func value(named name: String, in source: any Sendable) -> (any Sendable)? {
        switch source {
        case let dictionary as [String: any Sendable]: return dictionary[name]
        case let dictionary as OrderedDictionary<String, any Sendable>: return dictionary[name]
        case let map as Map:
            if case .dictionary(let dictionary) = map { return dictionary[name] }
            return nil
        default:
            return nil
        }
    }
}
