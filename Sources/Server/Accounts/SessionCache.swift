// SPDX-License-Identifier: Apache-2.0
import Foundation
import GraphQLHTTP
public import Kratos
import Synchronization

/// Successful whoami answers, per credential, shared by the worker threads of a process.
///
/// Keys are SHA-256 digests of the credential, never the token or cookie itself. An entry lives until the
/// configured TTL or the session's `expires_at`, whichever comes first; logout through the API evicts it at once.
/// Concurrent lookups of the same uncached credential share one call to Kratos. Failures are not cached, so a
/// session that was just created is seen at once.
public final class SessionCache: Sendable {
    private struct Entry: Sendable {
        let session: KratosSession
        let validUntil: ContinuousClock.Instant
    }

    private let entries: LRUCache<Entry>
    private let timeToLive: Duration
    private let inFlight = Mutex<[String: Task<KratosSession, any Error>]>([:])
    private let hits = Atomic<Int>(0)
    private let misses = Atomic<Int>(0)

    /// - Parameters:
    ///   - timeToLive: Longest time a session is trusted without asking Kratos again. A session revoked elsewhere
    ///     (another instance, the admin API) stays usable here for at most this long.
    ///   - maxEntries: Sessions kept; the least recently used go first.
    public init(timeToLive: Duration, maxEntries: Int) {
        self.timeToLive = timeToLive
        // Keys are 64 hex characters: the byte bound follows from the entry bound.
        self.entries = LRUCache(maxEntries: maxEntries, maxKeyBytes: max(1, maxEntries) * 64)
    }

    /// The session for `credential`, from the cache or from `fetch` (whose success is cached).
    public func session(
        for credential: KratosCredential,
        fetch: @escaping @Sendable () async throws -> KratosSession
    ) async throws -> KratosSession {
        let key = Self.key(credential)
        if let entry = entries.value(forKey: key), entry.validUntil > .now {
            hits.add(1, ordering: .relaxed)
            return entry.session
        }
        misses.add(1, ordering: .relaxed)
        let task = inFlight.withLock { tasks in
            if let running = tasks[key] { return running }
            let started = Task { try await fetch() }
            tasks[key] = started
            return started
        }
        defer { _ = inFlight.withLock { $0.removeValue(forKey: key) } }
        let session = try await task.value
        entries.insert(Entry(session: session, validUntil: validUntil(session)), forKey: key)
        return session
    }

    /// Forgets `credential` (after a logout).
    public func evict(_ credential: KratosCredential) {
        entries.removeValue(forKey: Self.key(credential))
    }

    public var statistics: (hits: Int, misses: Int, entries: Int) {
        (hits.load(ordering: .relaxed), misses.load(ordering: .relaxed), entries.statistics.entries)
    }

    private func validUntil(_ session: KratosSession) -> ContinuousClock.Instant {
        var lifetime = timeToLive
        if let expiry = session.expiryDate {
            let remaining = Duration.milliseconds(Int64(max(0, expiry.timeIntervalSinceNow) * 1000))
            lifetime = min(lifetime, remaining)
        }
        return .now.advanced(by: lifetime)
    }

    static func key(_ credential: KratosCredential) -> String {
        let material: String
        switch credential {
        case .sessionToken(let token): material = "token:" + token
        case .sessionCookie(let cookie): material = "cookie:" + cookie
        }
        return SHA256Hex.of(material)
    }
}
