// SPDX-License-Identifier: Apache-2.0
public import GraphQL

/// The `extensions.code` values this layer assigns. Resolvers add their own (`UNAUTHENTICATED`, …).
public enum ErrorCode {
    public static let parseFailed = "GRAPHQL_PARSE_FAILED"
    public static let validationFailed = "GRAPHQL_VALIDATION_FAILED"
    public static let documentTooDeep = "DOCUMENT_TOO_DEEP"
    public static let badUserInput = "BAD_USER_INPUT"
    public static let operationResolutionFailure = "OPERATION_RESOLUTION_FAILURE"
    public static let badRequest = "BAD_REQUEST"
    public static let internalServerError = "INTERNAL_SERVER_ERROR"
}

extension GraphQLError {
    /// The same error with `extensions.code` set to `code` unless it already has one.
    public func withCode(_ code: String) -> GraphQLError {
        guard extensions["code"] == nil else { return self }
        var extensions = self.extensions
        extensions["code"] = .string(code)
        return GraphQLError(message: message, locations: locations, path: path, extensions: extensions)
    }

    public var code: String? {
        if case .string(let code)? = extensions["code"] { return code }
        return nil
    }
}
