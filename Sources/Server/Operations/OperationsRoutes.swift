// SPDX-License-Identifier: Apache-2.0
import FastCGI
import GraphQLHTTP
import Kratos

/// The operator's endpoints, like PHP-FPM's `ping.path` and `pm.status_path`, beside the API's endpoint (`/ping` for
/// `/graphql`, `/api/ping` for `/api/graphql`; see `Endpoint`). The shipped nginx site routes them from 127.0.0.1
/// only.
/// - `/ping`: `pong`, answered without touching the schema (the process and a thread are alive).
/// - `/healthz`: alive (200) — for a liveness probe.
/// - `/readyz`: 200 when the schema is loaded and Kratos' `/health/ready` answers, else 503 — for a readiness
///   probe or a load balancer.
/// - `/status`: the counters as JSON.
/// - `/metrics`: Prometheus' text format (404 when no metrics backend is set up).
enum OperationsRoutes {
    static let names: Set<String> = ["ping", "healthz", "readyz", "status", "metrics"]

    /// The answer of the operator endpoint `name`; nil when there is none of that name.
    static func response(to name: String, pipeline: RequestPipeline, graphQL: GraphQLHTTPHandler) async -> FastCGIResponse? {
        guard names.contains(name) else { return nil }
        switch name {
        case "ping":
            return text(200, "pong\n")
        case "healthz":
            return json(200, #"{"status":"alive"}"# + "\n")
        case "readyz":
            let kratosReady = await pipeline.accounts?.kratos.isReady() ?? true
            return kratosReady
                ? json(200, #"{"status":"ready","schema":"loaded","kratos":"ready"}"# + "\n")
                : json(503, #"{"status":"not ready","schema":"loaded","kratos":"unreachable"}"# + "\n")
        case "metrics":
            guard let metrics = pipeline.metrics else { return nil }
            metrics.refresh(status: pipeline.status, documents: graphQL.documents, sessions: pipeline.accounts?.sessions)
            return answer(200, "text/plain; version=0.0.4; charset=utf-8", metrics.render())
        default:
            return answer(200, "application/json", pipeline.status.page(documents: graphQL.documents, sessions: pipeline.accounts?.sessions))
        }
    }

    private static func text(_ status: Int, _ body: String) -> FastCGIResponse { answer(status, "text/plain", Array(body.utf8)) }

    private static func json(_ status: Int, _ body: String) -> FastCGIResponse { answer(status, "application/json", Array(body.utf8)) }

    private static func answer(_ status: Int, _ contentType: String, _ body: [UInt8]) -> FastCGIResponse {
        FastCGIResponse(status: status, headers: [("Content-Type", contentType), ("Cache-Control", "no-store")], body: body)
    }
}
