// SPDX-License-Identifier: Apache-2.0
public import GraphQL

/// Questions about a field's or an argument's type that GraphQLSwift answers only internally.
public enum TypeShape {
    /// Whether `type` is a scalar or an enum, non-null or not (not a list, not an object or input object): a value
    /// that can stand in one place of a statement or a URL.
    public static func isSingleLeaf(_ type: any GraphQLType) -> Bool {
        ((type as? GraphQLNonNull)?.ofType ?? type) is any GraphQLLeafType
    }
}
