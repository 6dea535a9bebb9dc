// SPDX-License-Identifier: Apache-2.0
public import GraphQL
import Synchronization
public import GraphQLEngine

/// A query text parsed and validated once, with the outcome kept for every later request with the same text.
public struct PreparedDocument: Sendable {
    /// What preparing the text came to: a document to run, or the errors to answer with.
    public enum Outcome: Sendable {
        case valid(Document)
        /// The document could not be used; the errors carry their `extensions.code`.
        case rejected([GraphQLError])
    }

    /// Whether the document can run, and if not, why.
    public let outcome: Outcome
    /// Whether a list size in the document comes from a variable, so the cost limit is checked per request.
    public private(set) var costDependsOnVariables = false
    /// Each operation's plan for the plan executor, by operation name (`""` for an anonymous one).
    private(set) var plans: [String: PlanEntry] = [:]

    enum PlanEntry {
        case ready(OperationPlan)
        /// `@skip`/`@include` read variables: planned per request.
        case perRequest
        /// Runs on the reference executor (`isTypeOf`, more field plans than the budget).
        case reference
    }

    /// Scans and parses `query`, checks it against `limits`, and validates it against `schema`.
    static func prepare(
        query: String,
        schema: GraphQLSchema,
        maxNesting: Int,
        limits: QueryLimits,
        fields: SchemaFieldTypes? = nil,
        exposure: SchemaExposure = .init(introspection: true, suggestions: true),
        resolvers: Resolvers? = nil
    ) -> PreparedDocument {
        let scan = DocumentScan.scan(query, maxDepth: maxNesting, maxTokens: limits.maxTokens)
        if scan.depth > maxNesting {
            return rejected("The document nests deeper than \(maxNesting) levels", ErrorCode.documentTooDeep)
        }
        if scan.tokens > limits.maxTokens {
            return rejected("The document has more than \(limits.maxTokens) tokens", QueryLimits.Code.tokens)
        }
        if let offset = scan.malformedEscape {
            let (line, column) = DocumentScan.location(of: offset, in: query)
            return rejected(
                "Syntax Error: Invalid character escape sequence.",
                ErrorCode.parseFailed,
                at: SourceLocation(line: line, column: column)
            )
        }
        let document: Document
        do {
            document = try parse(source: query)
        } catch let error as GraphQLError {
            return PreparedDocument(outcome: .rejected([error.withCode(ErrorCode.parseFailed)]))
        } catch {
            return rejected("Syntax Error", ErrorCode.parseFailed)
        }
        // Limits before validation: they are linear in the document, and spare the validator a hostile one.
        let violations = limits.violations(in: document)
        guard violations.isEmpty else { return PreparedDocument(outcome: .rejected(violations)) }
        let duplicates = DefinitionUniqueness.violations(in: document)
        guard duplicates.isEmpty else { return PreparedDocument(outcome: .rejected(duplicates)) }
        let fragmentErrors = FragmentUsage.violations(in: document)
        guard fragmentErrors.isEmpty else { return PreparedDocument(outcome: .rejected(fragmentErrors)) }
        let errors = DocumentValidation.errors(of: document, query: query, tokens: scan.tokens, schema: schema, rules: exposure.rules)
        guard errors.isEmpty else { return PreparedDocument(outcome: .rejected(errors.map(exposure.present))) }
        // The spec rule GraphQLSwift does not run; after its rules, so the fields and fragments it sees are known.
        let fields = fields ?? SchemaFieldTypes(schema: schema)
        let overlapping = OverlappingFields.violations(in: document, schema: schema, fields: fields)
        guard overlapping.isEmpty else { return PreparedDocument(outcome: .rejected(overlapping)) }
        let cost = limits.costViolations(in: document, fields: fields, variables: nil)
        guard cost.errors.isEmpty || cost.dependsOnVariables else { return PreparedDocument(outcome: .rejected(cost.errors)) }
        var prepared = PreparedDocument(outcome: .valid(document))
        prepared.costDependsOnVariables = cost.dependsOnVariables
        if let resolvers {
            for case let operation as OperationDefinition in document.definitions {
                prepared.plans[operation.name?.value ?? ""] = plan(operation, in: document, schema: schema, resolvers: resolvers)
            }
        }
        return prepared
    }

    private static func plan(_ operation: OperationDefinition, in document: Document, schema: GraphQLSchema, resolvers: Resolvers) -> PlanEntry {
        do {
            return .ready(try OperationPlanner.plan(operation, in: document, schema: schema, resolvers: resolvers, variables: nil))
        } catch .conditionReadsVariable {
            return .perRequest
        } catch {
            return .reference
        }
    }

    private static func rejected(_ message: String, _ code: String, at location: SourceLocation? = nil) -> PreparedDocument {
        let error = GraphQLError(message: message, locations: location.map { [$0] } ?? [], extensions: ["code": .string(code)])
        return PreparedDocument(outcome: .rejected([error]))
    }
}

/// The shared cache of prepared documents, keyed by query text.
public final class DocumentCache: Sendable {
    private let cache: LRUCache<PreparedDocument>
    private let schema: GraphQLSchema
    private let maxNesting: Int
    private let limits: QueryLimits
    private let exposure: SchemaExposure
    private let resolvers: Resolvers?
    /// Field types by name, for the cost limit.
    let fields: SchemaFieldTypes
    private let threadLocalHits = Atomic<Int>(0)

    /// An empty cache of at most `maxEntries` documents and `maxQueryBytes` of query text. Documents are prepared
    /// with these limits, and planned for the plan executor when `resolvers` is given.
    public init(
        schema: GraphQLSchema,
        maxEntries: Int,
        maxQueryBytes: Int,
        maxNesting: Int,
        limits: QueryLimits = .init(),
        exposure: SchemaExposure = .init(introspection: true, suggestions: true),
        resolvers: Resolvers? = nil
    ) {
        self.resolvers = resolvers
        self.cache = LRUCache(maxEntries: maxEntries, maxKeyBytes: maxQueryBytes)
        self.schema = schema
        self.maxNesting = maxNesting
        self.limits = limits
        self.exposure = exposure
        self.fields = SchemaFieldTypes(schema: schema)
    }

    /// The prepared document for `query`, from the cache or prepared now (and cached). With `enabled` false the
    /// document is prepared on every call, which is what the benchmark compares against.
    ///
    /// A worker thread can put its own small `ThreadDocumentCache` in front: a hit there takes no lock at all,
    /// where the shared cache's lock, taken by every thread for every request, was measured contended (2 cores,
    /// 64 threads per process).
    public func document(for query: String, enabled: Bool = true, threadCache: ThreadDocumentCache? = nil) -> PreparedDocument {
        guard enabled else { return .prepare(query: query, schema: schema, maxNesting: maxNesting, limits: limits, fields: fields, exposure: exposure, resolvers: resolvers) }
        if let local = threadCache?.documents[query] {
            threadLocalHits.add(1, ordering: .relaxed)
            return local
        }
        let prepared: PreparedDocument
        if let cached = cache.value(forKey: query) {
            prepared = cached
        } else {
            prepared = PreparedDocument.prepare(query: query, schema: schema, maxNesting: maxNesting, limits: limits, fields: fields, exposure: exposure, resolvers: resolvers)
            cache.insert(prepared, forKey: query)
        }
        threadCache?.remember(prepared, for: query)
        return prepared
    }

    /// Hits count those of the threads' own caches.
    public var statistics: LRUCache<PreparedDocument>.Statistics {
        var statistics = cache.statistics
        statistics.hits += threadLocalHits.load(ordering: .relaxed)
        return statistics
    }
}

/// A worker thread's own few most used documents, in front of the shared `DocumentCache`. Used by one thread only,
/// hence unsynchronised; emptied when full (the shared cache still holds everything).
public final class ThreadDocumentCache: @unchecked Sendable {
    fileprivate var documents: [String: PreparedDocument] = [:]
    private let capacity: Int
    private var queryBytes = 0
    private let maxQueryBytes: Int

    /// An empty cache of at most `capacity` documents and `maxQueryBytes` of query text; a longer query is not kept.
    public init(capacity: Int = 64, maxQueryBytes: Int = 256 << 10) {
        self.capacity = capacity
        self.maxQueryBytes = maxQueryBytes
    }

    fileprivate func remember(_ document: PreparedDocument, for query: String) {
        let size = query.utf8.count
        guard size <= maxQueryBytes else { return }
        if documents.count >= capacity || queryBytes + size > maxQueryBytes {
            documents.removeAll(keepingCapacity: true)
            queryBytes = 0
        }
        documents[query] = document
        queryBytes += size
    }
}
