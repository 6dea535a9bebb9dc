// SPDX-License-Identifier: Apache-2.0
public import FastCGI
import GraphQL
import GraphQLEngine
public import GraphQLHTTP

/// Turns a FastCGI request into a GraphQL-over-HTTP request and back, on the worker thread that received it.
public struct RequestPipeline: Sendable {
    /// The GraphQL handler in service; SIGHUP replaces it.
    public let handlers: GraphQLHandlerSwitch
    /// Kratos, the session cache and the throttle, for each request's context; nil: no sessions.
    public let accounts: Accounts?
    /// The explorer's page and files; nil when it is switched off.
    public let explorer: ExplorerAssets?
    /// The path the API answers on (nginx's `location`), with the explorer under it and the operator's endpoints
    /// beside it; other paths are 404.
    public let endpoint: Endpoint
    /// Proxies in front of nginx whose `X-Forwarded-For` is believed (see `ClientAddress`).
    public let trustedProxies: [AddressRange]
    /// The process's counters (status page, systemd STATUS, recycling).
    public let status: ServerStatus
    /// The access and slow-request logs.
    public let requestLog: RequestLog?
    /// Request counters and latencies, and `/metrics`; nil when no metrics backend is set up.
    public let metrics: ServerMetrics?

    /// A pipeline serving `graphQL` on `endpoint` (default `/graphql`); accounts, explorer, request log and metrics
    /// are off unless given.
    public init(
        graphQL: GraphQLHTTPHandler,
        accounts: Accounts? = nil,
        explorer: ExplorerAssets? = nil,
        endpoint: Endpoint = .default,
        trustedProxies: [AddressRange] = [],
        status: ServerStatus = ServerStatus(),
        requestLog: RequestLog? = nil,
        metrics: ServerMetrics? = nil
    ) {
        self.metrics = metrics
        self.handlers = GraphQLHandlerSwitch(graphQL)
        self.trustedProxies = trustedProxies
        self.status = status
        self.requestLog = requestLog
        self.accounts = accounts
        self.explorer = explorer
        self.endpoint = endpoint
    }

    /// A handler for one worker thread, with its own executor.
    public func makeThreadHandler() -> WorkerPool.Handler {
        let executor = WorkerThreadExecutor()
        let view = ThreadHandlerView(handlers)
        let thread = ThreadState(metrics: ServerMetrics.ThreadHandles(), accessLog: requestLog?.makeThreadBuffer())
        return { request in
            view.refresh()
            let (graphQL, documents) = (view.handler, view.documents)
            return executor.runBlocking {
                await self.respond(to: request, graphQL: graphQL, threadCache: documents, thread: thread)
            }
        }
    }

    /// What one worker thread keeps for itself, so that counting and logging a request takes no shared lock.
    struct ThreadState: Sendable {
        var metrics: ServerMetrics.ThreadHandles?
        var accessLog: AccessLogWriter.ThreadBuffer?
    }

    /// Answers one request with the handler in service.
    public func respond(to request: FastCGIRequest) async -> FastCGIResponse {
        await respond(to: request, graphQL: handlers.handler, threadCache: nil)
    }

    /// Answers one request, counts it, and logs it; the response carries the request id in `X-Request-Id`.
    func respond(
        to request: FastCGIRequest,
        graphQL: GraphQLHTTPHandler,
        threadCache: ThreadDocumentCache?,
        thread: ThreadState? = nil
    ) async -> FastCGIResponse {
        let started = ContinuousClock.now
        let requestID = RequestID.from(nginx: request[parameter: "REQUEST_ID"])
        let path = request[parameter: "DOCUMENT_URI"] ?? endpoint.path
        let routed = await route(request, path: path, requestID: requestID, graphQL: graphQL, threadCache: threadCache)
        let duration = ContinuousClock.now - started
        metrics?.record(status: routed.response.status, duration: duration, operation: routed.operation, thread: thread?.metrics)
        let slow = requestLog?.record(
            RequestLog.Entry(
                requestID: requestID,
                method: request[parameter: "REQUEST_METHOD"] ?? "GET",
                path: path,
                status: routed.response.status,
                bytes: routed.response.body.count,
                duration: duration,
                operation: routed.operation,
                identityID: routed.identityID
            ),
            buffer: thread?.accessLog
        )
        status.record(status: routed.response.status, slow: slow ?? false)
        return routed.response
    }

    private struct Routed {
        var response: FastCGIResponse
        var operation: OperationSummary? = nil
        var identityID: String? = nil
    }

    private func route(
        _ request: FastCGIRequest,
        path: String,
        requestID: String,
        graphQL: GraphQLHTTPHandler,
        threadCache: ThreadDocumentCache?
    ) async -> Routed {
        if let explorer, let page = ExplorerRoutes.response(to: request, path: path, endpoint: endpoint, assets: explorer) {
            return Routed(response: page)
        }
        if let operation = endpoint.operation(at: path),
            let operations = await OperationsRoutes.response(to: operation, pipeline: self, graphQL: graphQL)
        {
            return Routed(response: operations)
        }
        if path != endpoint.path {
            var body = JSONWriter(capacity: 80)
            body.response(data: nil, errors: [GraphQLError(message: "Not found", extensions: ["code": .string(ErrorCode.notFound)])])
            return Routed(
                response: FastCGIResponse(
                    status: 404,
                    headers: [("Content-Type", "application/json; charset=utf-8"), ("X-Request-Id", requestID)],
                    body: body.bytes
                )
            )
        }
        let httpRequest = HTTPRequest(
            method: request[parameter: "REQUEST_METHOD"] ?? "GET",
            queryString: request[parameter: "QUERY_STRING"] ?? "",
            contentType: request[parameter: "CONTENT_TYPE"].flatMap { $0.isEmpty ? nil : $0 },
            accept: request[parameter: "HTTP_ACCEPT"],
            body: request.body,
            bodyExceededLimit: request.bodyExceededLimit
        )
        let context = RequestContext(
            requestID: requestID,
            credential: Credentials.from { request[parameter: $0] },
            origin: ClientOrigin(
                remoteAddress: request[parameter: "REMOTE_ADDR"],
                forwardedFor: request[parameter: "HTTP_X_FORWARDED_FOR"],
                trustedProxies: trustedProxies
            ),
            accounts: accounts
        )
        let response = await graphQL.handle(httpRequest, requestID: requestID, context: context, threadCache: threadCache)
        var headers = response.headers
        if let seconds = context.retryAfter.value { headers.append(("Retry-After", String(seconds))) }
        headers.append(("X-Request-Id", requestID))
        headers.append(("Cache-Control", "no-store"))
        return Routed(
            response: FastCGIResponse(status: response.status, headers: headers, body: response.body),
            operation: response.operation,
            identityID: context.identityID
        )
    }
}

/// Request ids: nginx's `$request_id` when the site passes it (so both logs share it), else a random one.
enum RequestID {
    static func from(nginx value: String?) -> String {
        if let value, !value.isEmpty, value.count <= 64, value.utf8.allSatisfy(isSafe) { return value }
        var generator = SystemRandomNumberGenerator()
        let high = generator.next() as UInt64
        let low = generator.next() as UInt64
        return hex(high) + hex(low)
    }

    private static func isSafe(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x2D
    }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
