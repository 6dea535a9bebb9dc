// SPDX-License-Identifier: Apache-2.0
import Foundation
import GraphQLHTTP
public import Kratos
public import SharedState
import Synchronization

/// Successful whoami answers, per credential, shared by the worker threads of a process — an accelerator only:
/// whether a cached answer may still be used is the shared `SecurityState`'s to say.
///
/// Keys are SHA-256 digests of the credential, never the token or cookie itself. An entry lives until the
/// configured TTL or the session's `expires_at`, whichever comes first, and is used only while no instance has
/// invalidated its session or identity since the whoami *started* (so an answer that was in flight during a
/// logout is not trusted afterwards). Concurrent lookups of the same uncached credential share one call to Kratos.
/// Failures are not cached, so a session that was just created is seen at once.
public final class SessionCache: Sendable {
    private struct Entry: Sendable {
        let answer: Answer
        let validUntil: ContinuousClock.Instant
    }

    /// A whoami answer and where the invalidation log stood when it was asked.
    private struct Answer: Sendable {
        let session: KratosSession
        let position: InvalidationPosition
        let sessionKey: StateKey
        let identityKey: StateKey?

        init(_ session: KratosSession, position: InvalidationPosition) {
            self.session = session
            self.position = position
            sessionKey = StateKey.session(session.id)
            identityKey = session.identity.map { StateKey.identity($0.id) }
        }
    }

    private let entries: LRUCache<Entry>
    private let timeToLive: Duration
    let state: any SecurityState
    private let inFlight = Mutex<[String: Task<Answer, any Error>]>([:])
    private let hits = Atomic<Int>(0)
    private let misses = Atomic<Int>(0)

    /// - Parameters:
    ///   - timeToLive: Longest time a session is trusted without asking Kratos again. A session revoked outside
    ///     graphql-fcgi (the admin API, Kratos' own expiry) stays usable for at most this long; one ended through the
    ///     API is refused by every instance sharing `state` on its next request.
    ///   - maxEntries: Sessions kept; the least recently used go first.
    ///   - state: What every instance agrees on: the invalidations.
    public init(timeToLive: Duration, maxEntries: Int, state: any SecurityState) {
        self.timeToLive = timeToLive
        self.state = state
        // Keys are 64 hex characters: the byte bound follows from the entry bound.
        self.entries = LRUCache(maxEntries: maxEntries, maxKeyBytes: max(1, maxEntries) * 64)
    }

    /// The session for `credential`, from the cache or from `fetch` (whose success is cached).
    public func session(
        for credential: KratosCredential,
        fetch: @escaping @Sendable () async throws -> KratosSession
    ) async throws -> KratosSession {
        let key = Self.key(credential)
        if let entry = entries.value(forKey: key), entry.validUntil > .now, isCurrent(entry.answer) {
            hits.add(1, ordering: .relaxed)
            return entry.answer.session
        }
        misses.add(1, ordering: .relaxed)
        var (answer, joined) = try await shared(key, fetch)
        if joined, !isCurrent(answer) {
            // Joined a call that another request started before an invalidation: ask again, on our own.
            let position = state.invalidationPosition()
            answer = Answer(try await fetch(), position: position)
        }
        entries.insert(Entry(answer: answer, validUntil: validUntil(answer.session)), forKey: key)
        return answer.session
    }

    /// Forgets `credential` here at once (after a logout; other instances learn it from the invalidation).
    public func evict(_ credential: KratosCredential) {
        entries.removeValue(forKey: Self.key(credential))
    }

    /// Lookups answered from the cache (hits) and from Kratos (misses) since it was created, and the sessions held now.
    public var statistics: (hits: Int, misses: Int, entries: Int) {
        (hits.load(ordering: .relaxed), misses.load(ordering: .relaxed), entries.statistics.entries)
    }

    /// The answer of the call in flight for `key`, or of a new one; `joined` when another request had started it.
    private func shared(
        _ key: String,
        _ fetch: @escaping @Sendable () async throws -> KratosSession
    ) async throws -> (answer: Answer, joined: Bool) {
        let (task, joined) = inFlight.withLock { tasks in
            if let running = tasks[key] { return (running, true) }
            let started = Task { [state] in
                let position = state.invalidationPosition()
                return Answer(try await fetch(), position: position)
            }
            tasks[key] = started
            return (started, false)
        }
        defer { if !joined { _ = inFlight.withLock { $0.removeValue(forKey: key) } } }
        return (try await task.value, joined)
    }

    private func isCurrent(_ answer: Answer) -> Bool {
        state.isCurrent(since: answer.position, session: answer.sessionKey, identity: answer.identityKey)
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

extension StateKey {
    /// The invalidation key of a Kratos session.
    public static func session(_ id: String) -> StateKey { StateKey("session", id) }

    /// The invalidation key of every session of a Kratos identity.
    public static func identity(_ id: String) -> StateKey { StateKey("identity", id) }
}
