// SPDX-License-Identifier: Apache-2.0
public import GraphQL

/// Every `extensions.code` graphql-fcgi answers with: the one catalogue (a test checks that no other source spells
/// a code, that the nginx site's refusals use these, and that the README documents each). An app's resolvers may
/// add their own (`APIError.coded`).
public enum ErrorCode {
    // MARK: The request (HTTP status in parentheses)

    /// Malformed JSON, a body that is not an object, a missing `query`, a parameter of the wrong type (400).
    public static let badRequest = "BAD_REQUEST"
    /// A body over `--max-body-bytes` (413; nginx's own limit too).
    public static let payloadTooLarge = "PAYLOAD_TOO_LARGE"
    /// A content type other than JSON (415).
    public static let unsupportedMediaType = "UNSUPPORTED_MEDIA_TYPE"
    /// An `Accept` header that allows neither GraphQL response type (406).
    public static let notAcceptable = "NOT_ACCEPTABLE"
    /// A mutation over GET, or a method other than GET and POST (405).
    public static let methodNotAllowed = "METHOD_NOT_ALLOWED"
    /// A batch of more operations than `--max-batch-size`.
    public static let batchTooLarge = "BATCH_TOO_LARGE"
    /// A path that is neither the endpoint, an explorer file nor an operator path (404); also what an API answers
    /// for what exists but is not the caller's (`APIError.notFound`).
    public static let notFound = "NOT_FOUND"
    /// nginx: a request header over its buffers (431).
    public static let requestHeaderTooLarge = "REQUEST_HEADER_TOO_LARGE"
    /// nginx: a URI over its buffers (414).
    public static let uriTooLong = "URI_TOO_LONG"
    /// nginx: no instance answered (503).
    public static let serviceUnavailable = "SERVICE_UNAVAILABLE"
    /// nginx: the client address is past the site's rate limit (429); the sign-in throttle (in a GraphQL error).
    public static let rateLimited = "RATE_LIMITED"
    /// nginx: a request its `allow`/`deny` rules refuse (403); signed in but not allowed (`APIError.forbidden`).
    public static let forbidden = "FORBIDDEN"

    // MARK: The document

    /// A document that does not parse.
    public static let parseFailed = "GRAPHQL_PARSE_FAILED"
    /// A document that does not validate against the schema.
    public static let validationFailed = "GRAPHQL_VALIDATION_FAILED"
    /// Nesting past `--max-document-nesting`, found by a linear scan before the recursive parser.
    public static let documentTooDeep = "DOCUMENT_TOO_DEEP"
    /// More tokens than `--max-tokens`, counted before the document is parsed.
    public static let maxTokensExceeded = "MAX_TOKENS_EXCEEDED"
    /// Field nesting past `--max-depth`, through fragments and inline fragments.
    public static let maxDepthExceeded = "MAX_DEPTH_EXCEEDED"
    /// More aliased fields in an operation than `--max-aliases`.
    public static let maxAliasesExceeded = "MAX_ALIASES_EXCEEDED"
    /// More fields at the top of an operation than `--max-root-fields`.
    public static let maxRootFieldsExceeded = "MAX_ROOT_FIELDS_EXCEEDED"
    /// More directives on one field than `--max-directives`.
    public static let maxDirectivesExceeded = "MAX_DIRECTIVES_EXCEEDED"
    /// More selections, once fragments are expanded, than `--max-selections`.
    public static let maxSelectionsExceeded = "MAX_SELECTIONS_EXCEEDED"
    /// An estimated cost over `--max-cost`, checked after validation.
    public static let maxCostExceeded = "MAX_COST_EXCEEDED"
    /// `__schema` or `__type` under `--profile production`.
    public static let introspectionDisabled = "INTROSPECTION_DISABLED"
    /// A persisted-query hash this worker does not know; the client then sends the text with it.
    public static let persistedQueryNotFound = "PERSISTED_QUERY_NOT_FOUND"
    /// An operation outside the persisted-query allowlist (`--persisted-queries-manifest`).
    public static let persistedQueryNotAllowed = "PERSISTED_QUERY_NOT_ALLOWED"
    /// A query text whose SHA-256 is not the persisted-query hash sent with it.
    public static let persistedQueryHashMismatch = "PERSISTED_QUERY_HASH_MISMATCH"
    /// `operationName` not in the document, or several operations and no name.
    public static let operationResolutionFailure = "OPERATION_RESOLUTION_FAILURE"

    // MARK: Execution

    /// Variables or arguments that do not fit their types, or input a resolver refuses.
    public static let badUserInput = "BAD_USER_INPUT"
    /// An `@auth` field, or an account field, without a valid session.
    public static let unauthenticated = "UNAUTHENTICATED"
    /// The session is signed in with the password alone, and the field or the account needs the second factor
    /// (TOTP): Kratos' `session_aal2_required`.
    public static let secondFactorRequired = "SECOND_FACTOR_REQUIRED"
    /// A recovery or verification code that is wrong, has expired, or was never sent for that address.
    public static let codeInvalid = "CODE_INVALID"
    /// A recovery or verification code already used, or tried too often in its flow: a new one must be requested.
    public static let codeUsed = "CODE_USED"
    /// A change that needs a recent sign-in (Kratos' privileged session age).
    public static let sessionRefreshRequired = "SESSION_REFRESH_REQUIRED"
    /// An `@sql` statement returned more rows, or ran longer, than one statement may (`--sql-max-rows`,
    /// `--sql-time-limit-ms`).
    public static let dataLimitExceeded = "DATA_LIMIT_EXCEEDED"
    /// Kratos did not answer in time.
    public static let authServiceUnavailable = "AUTH_SERVICE_UNAVAILABLE"
    /// A field's data source could not be reached: the `@sql` database, or an `@http` service (refused, unknown
    /// host, connection lost).
    public static let upstreamUnavailable = "UPSTREAM_UNAVAILABLE"
    /// An `@http` service did not answer within its deadline (`--http-timeout-ms`).
    public static let upstreamTimeout = "UPSTREAM_TIMEOUT"
    /// An `@http` service answered with an error status (4xx, 5xx); its body is not shown.
    public static let upstreamError = "UPSTREAM_ERROR"
    /// An `@http` service answered with something other than JSON, or JSON too large (`--http-max-response-bytes`).
    public static let upstreamInvalidResponse = "UPSTREAM_INVALID_RESPONSE"
    /// Anything a resolver threw that is not a GraphQL error: its text is logged with the request id, not shown.
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

    /// The error's `extensions.code`, or nil when it has none (or it is not a string).
    public var code: String? {
        if case .string(let code)? = extensions["code"] { return code }
        return nil
    }
}
