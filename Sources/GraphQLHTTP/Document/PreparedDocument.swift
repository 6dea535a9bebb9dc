// SPDX-License-Identifier: Apache-2.0
public import GraphQL

/// A query text parsed and validated once, with the outcome kept for every later request with the same text.
public struct PreparedDocument: Sendable {
    public enum Outcome: Sendable {
        case valid(Document)
        /// The document could not be used; the errors carry their `extensions.code`.
        case rejected([GraphQLError])
    }

    public let outcome: Outcome

    /// Parses and validates `query` against `schema`.
    static func prepare(query: String, schema: GraphQLSchema, maxNesting: Int) -> PreparedDocument {
        let nesting = NestingGuard.depth(of: query, stoppingAfter: maxNesting)
        guard nesting <= maxNesting else {
            return PreparedDocument(
                outcome: .rejected([
                    GraphQLError(
                        message: "The document nests deeper than \(maxNesting) levels",
                        extensions: ["code": .string(ErrorCode.documentTooDeep)]
                    )
                ])
            )
        }
        let document: Document
        do {
            document = try parse(source: query)
        } catch let error as GraphQLError {
            return PreparedDocument(outcome: .rejected([error.withCode(ErrorCode.parseFailed)]))
        } catch {
            return PreparedDocument(
                outcome: .rejected([
                    GraphQLError(message: "Syntax Error", extensions: ["code": .string(ErrorCode.parseFailed)])
                ])
            )
        }
        let errors = validate(schema: schema, ast: document)
        guard errors.isEmpty else {
            return PreparedDocument(outcome: .rejected(errors.map { $0.withCode(ErrorCode.validationFailed) }))
        }
        return PreparedDocument(outcome: .valid(document))
    }
}

/// The shared cache of prepared documents, keyed by query text.
public final class DocumentCache: Sendable {
    private let cache: LRUCache<PreparedDocument>
    private let schema: GraphQLSchema
    private let maxNesting: Int

    public init(schema: GraphQLSchema, maxEntries: Int, maxQueryBytes: Int, maxNesting: Int) {
        self.cache = LRUCache(maxEntries: maxEntries, maxKeyBytes: maxQueryBytes)
        self.schema = schema
        self.maxNesting = maxNesting
    }

    /// The prepared document for `query`, from the cache or prepared now (and cached). With `enabled` false the
    /// document is prepared on every call, which is what the benchmark compares against.
    public func document(for query: String, enabled: Bool = true) -> PreparedDocument {
        guard enabled else { return .prepare(query: query, schema: schema, maxNesting: maxNesting) }
        if let cached = cache.value(forKey: query) { return cached }
        let prepared = PreparedDocument.prepare(query: query, schema: schema, maxNesting: maxNesting)
        cache.insert(prepared, forKey: query)
        return prepared
    }

    public var statistics: LRUCache<PreparedDocument>.Statistics { cache.statistics }
}
