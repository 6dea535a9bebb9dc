// SPDX-License-Identifier: Apache-2.0
import GraphQLHTTP
import Kratos
import Metrics
import SharedState
import PostgreSQL
import SQLite
import Synchronization

/// The metrics of a worker process, through swift-metrics: the executable bootstraps the backend (Prometheus) and
/// hands over `render`, which `/metrics` answers with. Counters and timers are made once per label set and kept,
/// since making one goes through the backend's registry lock.
///
/// Operation names come from clients, so they are labels only for the first `maxOperationNames` distinct names a
/// process sees; later ones count as `other` (a client inventing names cannot grow the series without bound).
public final class ServerMetrics: Sendable {
    /// Distinct operation names a process uses as labels; later ones count as `other`.
    public static let maxOperationNames = 100

    /// The backend's registry in Prometheus' text format.
    let render: @Sendable () -> [UInt8]

    private let requests = HandleCache<[String], Counter>()
    private let requestDurations = HandleCache<String, Timer>()
    private let kratosCalls = HandleCache<[String], Counter>()
    private let kratosDurations = HandleCache<String, Timer>()
    private let sharedStateFailures = HandleCache<String, Counter>()
    private let operationNames = Mutex<Set<String>>([])

    // Read from the process and its caches when scraped.
    private let threadsBusy = Gauge(label: "graphql_fcgi_threads_busy")
    private let sqlStatements = Gauge(label: "graphql_fcgi_sql_statements")
    private let threadsTotal = Gauge(label: "graphql_fcgi_threads_total")
    private let residentMemory = Gauge(label: "process_resident_memory_bytes")
    private let documentCacheHits = Gauge(label: "graphql_fcgi_document_cache_hits")
    private let documentCacheMisses = Gauge(label: "graphql_fcgi_document_cache_misses")
    private let documentCacheEntries = Gauge(label: "graphql_fcgi_document_cache_entries")
    private let sessionCacheHits = Gauge(label: "graphql_fcgi_session_cache_hits")
    private let sessionCacheMisses = Gauge(label: "graphql_fcgi_session_cache_misses")
    private let sessionCacheEntries = Gauge(label: "graphql_fcgi_session_cache_entries")
    /// 1 while invalidations from every instance are known to be seen; 0 while cached sessions are not trusted.
    private let sharedStateCurrent = Gauge(label: "graphql_fcgi_shared_state_current")
    private let sharedStateInvalidations = Gauge(label: "graphql_fcgi_shared_state_invalidations")
    private let sharedStateCounters = Gauge(label: "graphql_fcgi_shared_state_attempt_counters")

    /// Metrics through the bootstrapped backend; `render` returns its registry for `/metrics`.
    public init(render: @escaping @Sendable () -> [UInt8]) {
        self.render = render
    }

    /// The handles one worker thread has looked up, so that counting its requests takes no shared lock: with 64
    /// threads on 2 cores, looking them up under one lock per request spun 19% of a worker's CPU at 512
    /// connections (a preempted holder, the others spinning). Used by its own thread only.
    final class ThreadHandles: @unchecked Sendable {
        fileprivate var requests: [[String]: Counter] = [:]
        fileprivate var durations: [String: Timer] = [:]
        fileprivate var operationNames: [String: String] = [:]

        init() {}
    }

    /// Counts one request and its latency; `thread` holds the handles of the calling worker thread.
    func record(status: Int, duration: Duration, operation: OperationSummary?, thread: ThreadHandles? = nil) {
        let type = operation?.type ?? "none"
        let outcome = status >= 500 ? "server_error" : status >= 400 ? "client_error" : "success"
        let key = [label(for: operation, thread: thread), type, outcome]
        let counter = thread?.requests[key] ?? requests.handle(key) { key in
            Counter(
                label: "graphql_fcgi_requests_total",
                dimensions: [("operation", key[0]), ("operation_type", key[1]), ("outcome", key[2])]
            )
        }
        thread?.requests[key] = counter
        counter.increment()
        let timer = thread?.durations[type] ?? requestDurations.handle(type) {
            Timer(label: "graphql_fcgi_request_duration_seconds", dimensions: [("operation_type", $0)])
        }
        thread?.durations[type] = timer
        timer.record(duration: duration)
    }

    /// Counts one call to Kratos and its latency (`KratosClient`'s observer).
    @Sendable func record(_ call: KratosCall) {
        kratosCalls.handle([call.route, call.outcome]) { key in
            Counter(label: "graphql_fcgi_kratos_requests_total", dimensions: [("route", key[0]), ("outcome", key[1])])
        }.increment()
        kratosDurations.handle(call.route) {
            Timer(label: "graphql_fcgi_kratos_request_duration_seconds", dimensions: [("route", $0)])
        }.record(duration: call.duration)
    }

    /// Counts one operation the shared state could not do (`count`, `refund`, `reset`, `invalidate`).
    func recordSharedStateFailure(_ operation: String) {
        sharedStateFailures.handle(operation) {
            Counter(label: "graphql_fcgi_shared_state_failures_total", dimensions: [("operation", $0)])
        }.increment()
    }

    private func label(for operation: OperationSummary?, thread: ThreadHandles?) -> String {
        guard let operation else { return "-" }
        guard let name = operation.name else { return "anonymous" }
        if let known = thread?.operationNames[name] { return known }
        let label = operationNames.withLock { names in
            if names.contains(name) { return name }
            guard names.count < Self.maxOperationNames else { return "other" }
            names.insert(name)
            return name
        }
        // A thread remembers at most as many names as the process labels (an "other" is looked up again).
        if label == name || (thread?.operationNames.count ?? 0) < Self.maxOperationNames { thread?.operationNames[name] = label }
        return label
    }

    /// Sets the gauges read at scrape time.
    func refresh(status: ServerStatus, documents: DocumentCache, sessions: SessionCache?) {
        let threads = status.threads
        threadsBusy.record(threads.busy)
        sqlStatements.record(SQLiteDatabase.statementsRun + PostgresDatabase.statementsRun)
        threadsTotal.record(threads.total)
        if let resident = ProcessMemory.residentBytes() { residentMemory.record(resident) }
        let documentStatistics = documents.statistics
        documentCacheHits.record(documentStatistics.hits)
        documentCacheMisses.record(documentStatistics.misses)
        documentCacheEntries.record(documentStatistics.entries)
        if let sessions {
            let statistics = sessions.statistics
            sessionCacheHits.record(statistics.hits)
            sessionCacheMisses.record(statistics.misses)
            sessionCacheEntries.record(statistics.entries)
            let health = sessions.state.health
            sharedStateCurrent.record(health.current ? 1 : 0)
            if let invalidations = health.invalidations { sharedStateInvalidations.record(invalidations) }
            if let counters = health.counters { sharedStateCounters.record(counters) }
        }
    }
}

/// Metric handles by label values, each made once.
private final class HandleCache<Key: Hashable & Sendable, Handle: Sendable>: Sendable {
    private let handles = Mutex<[Key: Handle]>([:])

    func handle(_ key: Key, make: (Key) -> Handle) -> Handle {
        handles.withLock { handles in
            if let known = handles[key] { return known }
            let handle = make(key)
            handles[key] = handle
            return handle
        }
    }
}
