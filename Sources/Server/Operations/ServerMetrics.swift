// SPDX-License-Identifier: Apache-2.0
import CoreMetrics
import GraphQLHTTP
import Synchronization

/// The metrics of a worker process, through swift-metrics (the executable bootstraps the Prometheus backend and
/// hands the pipeline its renderer for `/metrics`). Counters and timers are created once per label set and kept:
/// creating one goes through the backend's registry lock.
///
/// Operation names come from clients, so they are labels only for the first `maxOperationNames` distinct names a
/// process sees; later ones count as `other` (a client inventing names cannot grow the series without bound).
public final class ServerMetrics: Sendable {
    public static let maxOperationNames = 100

    private let requestCounters = Mutex<[RequestKey: Counter]>([:])
    private let durationTimers = Mutex<[String: Timer]>([:])
    private let operationNames = Mutex<Set<String>>([])
    /// Values read from the caches and the process when scraped, as gauges.
    private let gauges: [String: Gauge]

    private struct RequestKey: Hashable {
        var operation: String
        var type: String
        var outcome: String
    }

    public init() {
        var gauges: [String: Gauge] = [:]
        for (name, label) in [
            ("threads_busy", "graphql_fcgi_threads_busy"), ("threads_total", "graphql_fcgi_threads_total"),
            ("rss", "process_resident_memory_bytes"),
            ("document_cache_hits", "graphql_fcgi_document_cache_hits"), ("document_cache_misses", "graphql_fcgi_document_cache_misses"),
            ("document_cache_entries", "graphql_fcgi_document_cache_entries"),
            ("session_cache_hits", "graphql_fcgi_session_cache_hits"), ("session_cache_misses", "graphql_fcgi_session_cache_misses"),
            ("session_cache_entries", "graphql_fcgi_session_cache_entries"),
        ] {
            gauges[name] = Gauge(label: label)
        }
        self.gauges = gauges
    }

    /// Counts one request and its latency.
    func record(status: Int, duration: Duration, operation: OperationSummary?) {
        let type = operation?.type ?? "none"
        let outcome = status >= 500 ? "server_error" : status >= 400 ? "client_error" : "success"
        let key = RequestKey(operation: label(for: operation), type: type, outcome: outcome)
        let counter = requestCounters.withLock { counters in
            if let known = counters[key] { return known }
            let counter = Counter(
                label: "graphql_fcgi_requests_total",
                dimensions: [("operation", key.operation), ("operation_type", key.type), ("outcome", key.outcome)]
            )
            counters[key] = counter
            return counter
        }
        counter.increment()
        let timer = durationTimers.withLock { timers in
            if let known = timers[type] { return known }
            let timer = Timer(label: "graphql_fcgi_request_duration_seconds", dimensions: [("operation_type", type)])
            timers[type] = timer
            return timer
        }
        timer.recordNanoseconds(Int64(duration.components.seconds) * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }

    private func label(for operation: OperationSummary?) -> String {
        guard let operation else { return "-" }
        guard let name = operation.name else { return "anonymous" }
        return operationNames.withLock { names in
            if names.contains(name) { return name }
            guard names.count < Self.maxOperationNames else { return "other" }
            names.insert(name)
            return name
        }
    }

    /// Sets the gauges read at scrape time.
    func refresh(status: ServerStatus, documents: DocumentCache, sessions: SessionCache?) {
        let threads = status.threads
        gauges["threads_busy"]?.record(threads.busy)
        gauges["threads_total"]?.record(threads.total)
        if let resident = ProcessMemory.residentBytes() { gauges["rss"]?.record(resident) }
        let documentStatistics = documents.statistics
        gauges["document_cache_hits"]?.record(documentStatistics.hits)
        gauges["document_cache_misses"]?.record(documentStatistics.misses)
        gauges["document_cache_entries"]?.record(documentStatistics.entries)
        if let sessions {
            let statistics = sessions.statistics
            gauges["session_cache_hits"]?.record(statistics.hits)
            gauges["session_cache_misses"]?.record(statistics.misses)
            gauges["session_cache_entries"]?.record(statistics.entries)
        }
    }
}
