// SPDX-License-Identifier: Apache-2.0
import Foundation
import GraphQL
import GraphQLEngine

/// How much of the schema a client may learn: introspection, and the names validation errors suggest.
public struct SchemaExposure: Sendable {
    /// `extensions.code` for `__schema` or `__type` with introspection off.
    public static let introspectionDisabledCode = ErrorCode.introspectionDisabled

    /// Whether `__schema` and `__type` may be queried (`__typename` always may).
    public var introspection: Bool
    /// Whether validation errors keep their "Did you mean …?" suggestions.
    public var suggestions: Bool

    /// Exposure with both switches given; production turns both off.
    public init(introspection: Bool, suggestions: Bool) {
        self.introspection = introspection
        self.suggestions = suggestions
    }

    /// The validation rules: the spec's, plus GraphQLSwift's rule refusing `__schema` and `__type` when
    /// introspection is off.
    var rules: [@Sendable (ValidationContext) -> Visitor] {
        introspection ? specifiedRules : specifiedRules + [NoSchemaIntrospectionCustomRule]
    }

    /// A validation error as the client sees it: coded, and without "Did you mean …?" when suggestions are off.
    func present(_ error: GraphQLError) -> GraphQLError {
        let isIntrospection = error.message.hasPrefix("GraphQL introspection has been disabled")
        var message = error.message
        if !suggestions, let suggestion = message.range(of: " Did you mean ") {
            message = String(message[..<suggestion.lowerBound])
        }
        let code = isIntrospection ? Self.introspectionDisabledCode : ErrorCode.validationFailed
        return GraphQLError(message: message, locations: error.locations, path: error.path, extensions: ["code": .string(code)])
    }
}
