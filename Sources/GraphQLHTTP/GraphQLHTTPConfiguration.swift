// SPDX-License-Identifier: Apache-2.0

/// How the GraphQL-over-HTTP layer answers. Every property has a production default.
public struct GraphQLHTTPConfiguration: Sendable {
    /// Which edition of the GraphQL-over-HTTP status codes to follow.
    public enum StatusCodePolicy: String, Sendable, CaseIterable {
        /// The spec as the graphql-http audit suite checks it (2025): request errors answer 400 to
        /// `application/graphql-response+json` clients and 200 to `application/json` clients.
        case compatible
        /// The 2026 draft: 422 for validation failures, variable coercion failures, invalid parameters and
        /// operations that cannot be determined, for both media types; 400 stays for unparseable bodies and
        /// documents.
        case draft2026
    }

    /// Default `.compatible`.
    public var statusCodePolicy: StatusCodePolicy = .compatible
    /// Whether `__schema` and `__type` may be queried (`__typename` always may). Default false, as in production:
    /// the schema is the API owner's to publish. Refusals carry `INTROSPECTION_DISABLED`.
    public var introspection = false
    /// Whether validation errors may suggest names ("Did you mean …?"), which reveal the schema bit by bit even with
    /// introspection off. Default false.
    public var suggestions = false
    /// Deepest bracket nesting (`{`, `(`, `[`) a document may have before it is parsed. Default 64.
    public var maxDocumentNesting: Int = 64
    /// Bounds on tokens, depth, aliases, root fields and directives of a document.
    public var limits = QueryLimits()
    /// Most operations in one batched POST (a JSON array). Default 0: batching off, arrays are 400.
    public var maxBatchSize = 0
    /// Persisted queries: automatic (APQ) by default, or an allowlist.
    public var persistedQueries: PersistedQueries.Mode = .automatic
    /// Whether parsed and validated documents are kept. Default true; off only to measure what it saves.
    public var documentCacheEnabled: Bool = true
    /// Documents kept in the cache. Default 1,000.
    public var documentCacheEntries: Int = 1_000
    /// Total size of the query texts kept in the cache. Default 8 MiB.
    public var documentCacheBytes: Int = 8 << 20

    /// Which executor runs operations. Default `.plan`.
    public var executor: Executor = .plan

    /// The engines that can run an operation.
    public enum Executor: String, Sendable, CaseIterable {
        /// Compiled operation plans (`PlanExecutor`); operations it cannot plan run on the reference executor.
        case plan
        /// GraphQLSwift's `execute` for every operation.
        case reference
    }

    /// The production defaults.
    public init() {}
}
