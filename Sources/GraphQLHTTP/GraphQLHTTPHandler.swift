// SPDX-License-Identifier: Apache-2.0
public import GraphQL
public import Logging
public import GraphQLEngine

/// GraphQL over HTTP, independent of the transport: decodes the request, negotiates the media type, runs the
/// operation on the schema, and turns the outcome into status code, headers and JSON.
public final class GraphQLHTTPHandler: Sendable {
    /// The schema every request is validated and executed against.
    public let schema: GraphQLSchema
    /// How this handler answers: status codes, limits, caches, executor.
    public let configuration: GraphQLHTTPConfiguration
    /// Parsed and validated documents, shared by every request to this handler.
    public let documents: DocumentCache
    /// The resolvers, for the plan executor; nil when the schema carries its own (then GraphQLSwift executes).
    public let resolvers: Resolvers?
    private let persistedQueries: PersistedQueries
    private let logger: Logger

    /// The allowlisted operations (persisted-query allowlist mode) this handler's schema refuses, by hash, with the
    /// errors a client would get: what a reload to this schema would break. Prepared through the document cache,
    /// so the operations that pass are ready for the first requests.
    public func allowlistedOperationsRefused() -> [(hash: String, errors: [String])] {
        guard case .allowlist(let operations) = configuration.persistedQueries else { return [] }
        return operations.sorted { $0.key < $1.key }.compactMap { hash, query in
            guard case .rejected(let errors) = documents.document(for: query).outcome else { return nil }
            return (hash, errors.map(\.message))
        }
    }

    /// A handler for `schema`. `resolvers` serve the `.plan` executor only (introspection's are added); with
    /// `.reference`, or none given, GraphQLSwift executes with the schema's own resolve functions.
    public init(schema: GraphQLSchema, resolvers: Resolvers? = nil, configuration: GraphQLHTTPConfiguration, logger: Logger) {
        ReferenceIntrospection.install(on: schema)
        self.schema = schema
        self.resolvers = configuration.executor == .plan ? resolvers?.withIntrospection(of: schema) : nil
        self.configuration = configuration
        self.logger = logger
        self.persistedQueries = PersistedQueries(mode: configuration.persistedQueries)
        self.documents = DocumentCache(
            schema: schema,
            maxEntries: configuration.documentCacheEntries,
            maxQueryBytes: configuration.documentCacheBytes,
            maxNesting: configuration.maxDocumentNesting,
            limits: configuration.limits,
            exposure: SchemaExposure(introspection: configuration.introspection, suggestions: configuration.suggestions),
            resolvers: self.resolvers
        )
    }

    /// Answers one request.
    /// - Parameters:
    ///   - requestID: Tied to every log line about this request; the transport returns it in a header.
    ///   - context: Handed to every resolver.
    ///   - threadCache: The calling worker thread's own document cache, if it keeps one.
    public func handle(
        _ request: HTTPRequest,
        requestID: String,
        context: any Sendable,
        rootValue: any Sendable = (),
        threadCache: ThreadDocumentCache? = nil
    ) async -> HTTPResponse {
        guard let mediaType = ResponseMediaType.negotiate(accept: request.accept) else {
            return respond(
                .json,
                error: RequestError(
                    status: 406,
                    code: ErrorCode.notAcceptable,
                    message: "Accept application/graphql-response+json or application/json"
                )
            )
        }
        let body: GraphQLRequestParameters.Body
        do {
            body = try GraphQLRequestParameters.decode(from: request, maxBatchSize: configuration.maxBatchSize)
        } catch {
            return respond(mediaType, error: error)
        }
        switch body {
        case .single(let parameters):
            return await run(
                parameters, method: request.method, mediaType: mediaType, requestID: requestID,
                context: context, rootValue: rootValue, threadCache: threadCache
            )
        case .batch(let entries):
            // One after the other, in order (a later mutation may depend on an earlier one); each entry answers
            // as it would alone, and the array is 200 whatever its entries say.
            var output: [UInt8] = [UInt8(ascii: "[")]
            for (index, entry) in entries.enumerated() {
                let response: HTTPResponse
                switch entry {
                case .success(let parameters):
                    response = await run(
                        parameters, method: request.method, mediaType: mediaType, requestID: requestID,
                        context: context, rootValue: rootValue, threadCache: threadCache
                    )
                case .failure(let error):
                    response = respond(mediaType, error: error)
                }
                if index > 0 { output.append(UInt8(ascii: ",")) }
                output.append(contentsOf: response.body)
            }
            output.append(UInt8(ascii: "]"))
            var response = HTTPResponse(status: 200, headers: [("Content-Type", mediaType.contentType)], body: output)
            response.operation = OperationSummary(name: nil, type: "batch", query: "")
            return response
        }
    }

    /// Runs one operation without HTTP around it (as a POST accepting `application/json`): for embedding, and for the
    /// executor microbenchmark.
    public func execute(_ parameters: GraphQLRequestParameters, context: any Sendable, rootValue: any Sendable = ()) async -> HTTPResponse {
        await run(parameters, method: "POST", mediaType: .json, requestID: "-", context: context, rootValue: rootValue, threadCache: nil)
    }

    /// Runs one operation's parameters: persisted query lookup, document cache, limits, execution.
    private func run(
        _ parameters: GraphQLRequestParameters,
        method: String,
        mediaType: ResponseMediaType,
        requestID: String,
        context: any Sendable,
        rootValue: any Sendable,
        threadCache: ThreadDocumentCache?
    ) async -> HTTPResponse {
        let query: String
        switch persistedQueries.resolve(parameters) {
        case .failure(let error):
            return respond(mediaType, requestErrors: [error], status: requestErrorStatus(mediaType, parseFailure: false))
        case .success(let text):
            query = text
        }
        let document: Document
        let prepared = documents.document(for: query, enabled: configuration.documentCacheEnabled, threadCache: threadCache)
        switch prepared.outcome {
        case .rejected(let errors):
            logLimitRefusal(errors, requestID: requestID)
            let isParseFailure = ![ErrorCode.validationFailed, SchemaExposure.introspectionDisabledCode].contains(errors.first?.code)
            return respond(mediaType, requestErrors: errors, status: requestErrorStatus(mediaType, parseFailure: isParseFailure))
        case .valid(let valid):
            document = valid
        }

        let operation: OperationDefinition
        switch OperationSelection.select(in: document, named: parameters.operationName) {
        case .failure(let error):
            return respond(mediaType, requestErrors: [error], status: requestErrorStatus(mediaType, parseFailure: false))
        case .success(let selected):
            operation = selected
        }
        if prepared.costDependsOnVariables {
            let cost = configuration.limits.costViolations(
                in: document,
                operations: [operation],
                fields: documents.fields,
                variables: parameters.variables
            )
            if !cost.errors.isEmpty {
                logLimitRefusal(cost.errors, requestID: requestID)
                return respond(mediaType, requestErrors: cost.errors, status: requestErrorStatus(mediaType, parseFailure: false))
            }
        }
        if operation.operation != .query {
            if method == "GET" {
                return respond(
                    mediaType,
                    error: RequestError(
                        status: 405,
                        code: ErrorCode.methodNotAllowed,
                        message: "Only queries can be sent with GET; send \(operation.operation.rawValue)s with POST",
                        headers: ["Allow": "POST"]
                    )
                )
            }
            if case .failure(let error) = OperationSelection.checkRootType(of: operation, in: schema) {
                return respond(mediaType, requestErrors: [error], status: requestErrorStatus(mediaType, parseFailure: false))
            }
            if operation.operation == .subscription {
                return respond(mediaType, error: .badRequest("Subscriptions are not supported over HTTP"))
            }
        }

        let summary = OperationSummary(name: operation.name?.value, type: operation.operation.rawValue, query: query)
        if let planned = await executePlan(prepared, document: document, operation: operation, variables: parameters.variables, context: context, rootValue: rootValue) {
            var body = JSONWriter(capacity: planned.data.count + 64)
            body.response(dataJSON: planned.data, errors: planned.errors.map { mask($0, requestID: requestID) })
            return executed(body, mediaType, summary)
        }

        let result: GraphQLResult
        do {
            result = try await GraphQL.execute(
                schema: schema,
                documentAST: document,
                rootValue: rootValue,
                context: context,
                variableValues: parameters.variables,
                operationName: operation.name?.value
            )
        } catch {
            return respond(mediaType, requestErrors: [mask(error, requestID: requestID)], status: 500)
        }
        if result.data == nil, !result.errors.isEmpty, result.errors.allSatisfy(Self.isInputError) {
            // Execution never started, or stopped at an argument: the request's input does not fit its types.
            let errors = result.errors.map { $0.withCode(ErrorCode.badUserInput) }
            return respond(mediaType, requestErrors: errors, status: requestErrorStatus(mediaType, parseFailure: false))
        }
        var body = JSONWriter(capacity: 512)
        body.response(data: result.data ?? .null, errors: result.errors.map { mask($0, requestID: requestID) })
        return executed(body, mediaType, summary)
    }

    /// The 200 of an operation that ran, whichever executor ran it.
    private func executed(_ body: JSONWriter, _ mediaType: ResponseMediaType, _ summary: OperationSummary) -> HTTPResponse {
        var response = HTTPResponse(status: 200, headers: [("Content-Type", mediaType.contentType)], body: body.bytes)
        response.operation = summary
        return response
    }

    /// Runs the operation's plan; nil when it has none or the request's input is one the reference executor
    /// should word the error for (nothing has run then).
    func executePlan(
        _ prepared: PreparedDocument,
        document: Document,
        operation: OperationDefinition,
        variables inputs: [String: Map],
        context: any Sendable,
        rootValue: any Sendable
    ) async -> PlanExecutor.Output? {
        guard let resolvers, let entry = prepared.plans[operation.name?.value ?? ""] else { return nil }
        if case .reference = entry { return nil }
        guard let variables = PlanExecutor.variables(operation.variableDefinitions, inputs: inputs, schema: schema) else { return nil }
        let plan: OperationPlan
        switch entry {
        case .ready(let ready):
            plan = ready
        case .perRequest:
            guard let planned = try? OperationPlanner.plan(operation, in: document, schema: schema, resolvers: resolvers, variables: variables)
            else { return nil }
            plan = planned
        case .reference:
            return nil
        }
        return await PlanExecutor.execute(plan, schema: schema, resolvers: resolvers, variables: variables, context: context, rootValue: rootValue)
    }

    /// GraphQLSwift's errors for variables and arguments that do not fit their types (errors raised while completing
    /// a value have no path either, but are the server's own).
    private static func isInputError(_ error: GraphQLError) -> Bool {
        error.path.elements.isEmpty && isAboutInput(error)
    }

    /// GraphQLSwift's wording for a variable or argument that does not fit its type, wherever it was raised (a
    /// `@include(if: $v)` given null fails while the fields under `me` are collected, as a field error of `me`).
    private static func isAboutInput(_ error: GraphQLError) -> Bool {
        error.message.hasPrefix("Variable \"$") || error.message.hasPrefix("Argument \"")
    }

    private func logLimitRefusal(_ errors: [GraphQLError], requestID: String) {
        if let code = errors.first?.code, QueryLimits.Code.all.contains(code) {
            logger.notice("query refused by a limit", metadata: ["request_id": "\(requestID)", "code": "\(code)"])
        }
    }

    /// The status of a request error (nothing executed) for the negotiated media type and policy.
    private func requestErrorStatus(_ mediaType: ResponseMediaType, parseFailure: Bool) -> Int {
        switch configuration.statusCodePolicy {
        case .compatible: return mediaType == .json ? 200 : 400
        case .draft2026: return parseFailure ? 400 : 422
        }
    }

    private func respond(_ mediaType: ResponseMediaType, error: RequestError) -> HTTPResponse {
        var status = error.status
        if configuration.statusCodePolicy == .draft2026, error.isInvalidParameter { status = 422 }
        let graphQLError = GraphQLError(message: error.message, extensions: ["code": .string(error.code)])
        var response = respond(mediaType, requestErrors: [graphQLError], status: status)
        response.headers.append(contentsOf: error.headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        return response
    }

    private func respond(_ mediaType: ResponseMediaType, requestErrors: [GraphQLError], status: Int) -> HTTPResponse {
        var body = JSONWriter()
        body.response(data: nil, errors: requestErrors)
        return HTTPResponse(status: status, headers: [("Content-Type", mediaType.contentType)], body: body.bytes)
    }

    /// Hides the text of any error the API did not mean to show (a Swift error thrown by a resolver, which
    /// GraphQLSwift would render with its type name and fields), logging it with the request id instead, and
    /// gives every error an `extensions.code`.
    private func mask(_ error: any Error, requestID: String) -> GraphQLError {
        guard let graphQLError = error as? GraphQLError else {
            logger.error("unexpected error", metadata: ["request_id": "\(requestID)", "error": "\(String(reflecting: error))"])
            return GraphQLError(message: "Internal server error", extensions: ["code": .string(ErrorCode.internalServerError)])
        }
        if let original = graphQLError.originalError, !(original is GraphQLError) {
            let failure = original as? ResolverFailure
            logger.error(
                "resolver error",
                metadata: [
                    "request_id": "\(requestID)",
                    "path": "\(graphQLError.path)",
                    "error": "\(String(reflecting: failure?.underlying ?? original))",
                ]
            )
            return GraphQLError(
                message: "Internal server error",
                locations: failure?.locations ?? graphQLError.locations,
                path: graphQLError.path,
                extensions: ["code": .string(ErrorCode.internalServerError)]
            )
        }
        return graphQLError.withCode(Self.isAboutInput(graphQLError) ? ErrorCode.badUserInput : ErrorCode.internalServerError)
    }
}
