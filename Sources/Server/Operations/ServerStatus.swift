// SPDX-License-Identifier: Apache-2.0
public import FastCGI
import Foundation
import GraphQL
import GraphQLHTTP
import OrderedCollections
import Synchronization
import GraphQLEngine

/// Counters of one process, shared by its threads: what the status page, the STATUS line systemd shows, and the
/// recycling policy read.
public final class ServerStatus: Sendable {
    let startedAt = Date()
    private let started = ContinuousClock.now
    private let requests = Atomic<Int>(0)
    private let clientErrors = Atomic<Int>(0)
    private let serverErrors = Atomic<Int>(0)
    private let slowRequests = Atomic<Int>(0)
    private let reloads = Atomic<Int>(0)
    private let pool = Mutex<WorkerPool?>(nil)

    /// Counters at zero, no pool attached; uptime counts from now.
    public init() {}

    /// The pool whose threads the status reports; set once it exists.
    public func attach(_ pool: WorkerPool) { self.pool.withLock { $0 = pool } }

    func record(status: Int, slow: Bool) {
        requests.add(1, ordering: .relaxed)
        if status >= 500 {
            serverErrors.add(1, ordering: .relaxed)
        } else if status >= 400 {
            clientErrors.add(1, ordering: .relaxed)
        }
        if slow { slowRequests.add(1, ordering: .relaxed) }
    }

    func recordReload() { reloads.add(1, ordering: .relaxed) }

    /// Requests recorded since the status was created, whatever their outcome.
    public var requestsServed: Int { requests.load(ordering: .relaxed) }

    /// Time since the status was created.
    public var uptime: Duration { ContinuousClock.now - started }

    /// Threads serving a request now, and threads in all.
    public var threads: (busy: Int, total: Int) {
        pool.withLock { pool in pool.map { ($0.busyThreads, $0.threadCount) } ?? (0, 0) }
    }

    /// One line for systemd's `STATUS=` (shown by `systemctl status`).
    public var summary: String {
        let threads = threads
        return "\(requestsServed) requests served, \(threads.busy) of \(threads.total) threads busy"
    }

    /// The status page: like PHP-FPM's, in JSON.
    func page(documents: DocumentCache, sessions: SessionCache?) -> [UInt8] {
        let threads = threads
        let documentStatistics = documents.statistics
        var fields: OrderedDictionary<String, Map> = [
            "pid": .number(Number(Int(getpid()))),
            "start_time": .string(ISO8601DateFormatter().string(from: startedAt)),
            "uptime_seconds": .number(Number(Int(uptime.components.seconds))),
            "requests": .number(Number(requestsServed)),
            "client_errors": .number(Number(clientErrors.load(ordering: .relaxed))),
            "server_errors": .number(Number(serverErrors.load(ordering: .relaxed))),
            "slow_requests": .number(Number(slowRequests.load(ordering: .relaxed))),
            "threads_total": .number(Number(threads.total)),
            "threads_busy": .number(Number(threads.busy)),
            "threads_idle": .number(Number(threads.total - threads.busy)),
            "document_cache": .dictionary([
                "hits": .number(Number(documentStatistics.hits)),
                "misses": .number(Number(documentStatistics.misses)),
                "entries": .number(Number(documentStatistics.entries)),
            ]),
            "reloads": .number(Number(reloads.load(ordering: .relaxed))),
        ]
        if let sessions {
            let statistics = sessions.statistics
            fields["session_cache"] = .dictionary([
                "hits": .number(Number(statistics.hits)),
                "misses": .number(Number(statistics.misses)),
                "entries": .number(Number(statistics.entries)),
            ])
        }
        if let resident = ProcessMemory.residentBytes() { fields["rss_bytes"] = .number(Number(resident)) }
        var writer = JSONWriter()
        writer.map(.dictionary(fields))
        writer.raw("\n")
        return writer.bytes
    }
}
