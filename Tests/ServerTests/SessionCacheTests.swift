import Foundation
import Kratos
import SharedState
import Synchronization
import Testing

@testable import Server

@Suite struct SessionCacheTests {
    final class Counter: Sendable {
        let calls = Mutex(0)
        func fetch(_ session: KratosSession, delay: Duration = .zero) -> @Sendable () async throws -> KratosSession {
            return {
                self.calls.withLock { $0 += 1 }
                if delay > .zero { try await Task.sleep(for: delay) }
                return session
            }
        }
        var count: Int { calls.withLock { $0 } }
    }

    func session(expiringIn seconds: Double) -> KratosSession {
        let formatter = ISO8601DateFormatter()
        return KratosSession(id: "s", expiresAt: formatter.string(from: Date().addingTimeInterval(seconds)))
    }

    /// A state file of its own per test; `SessionCache.state` of another cache on the same path plays another process.
    let statePath = FileManager.default.temporaryDirectory.appendingPathComponent("sessions-\(UUID().uuidString)").path

    func makeCache(timeToLive: Duration = .seconds(60)) throws -> SessionCache {
        SessionCache(timeToLive: timeToLive, maxEntries: 10, state: try SharedMemoryState(path: statePath, capacity: 64, retention: .seconds(60)))
    }

    @Test func servesRepeatedLookupsFromTheCache() async throws {
        let cache = try makeCache()
        let counter = Counter()
        for _ in 0..<5 { _ = try await cache.session(for: .sessionToken("t"), fetch: counter.fetch(session(expiringIn: 3600))) }
        #expect(counter.count == 1)
        #expect(cache.statistics.hits == 4 && cache.statistics.misses == 1)
    }

    @Test func neverOutlivesTheSessionsOwnExpiry() async throws {
        let cache = try makeCache()
        let counter = Counter()
        _ = try await cache.session(for: .sessionToken("t"), fetch: counter.fetch(session(expiringIn: 0.2)))
        try await Task.sleep(for: .milliseconds(300))
        _ = try await cache.session(for: .sessionToken("t"), fetch: counter.fetch(session(expiringIn: 0.2)))
        #expect(counter.count == 2)
    }

    @Test func aZeroTTLAlwaysAsksKratos() async throws {
        let cache = try makeCache(timeToLive: .zero)
        let counter = Counter()
        for _ in 0..<3 { _ = try await cache.session(for: .sessionToken("t"), fetch: counter.fetch(session(expiringIn: 3600))) }
        #expect(counter.count == 3)
    }

    @Test func evictionForgetsTheCredentialOnly() async throws {
        let cache = try makeCache()
        let counter = Counter()
        let valid = session(expiringIn: 3600)
        _ = try await cache.session(for: .sessionToken("a"), fetch: counter.fetch(valid))
        _ = try await cache.session(for: .sessionCookie("a"), fetch: counter.fetch(valid))
        cache.evict(.sessionToken("a"))
        _ = try await cache.session(for: .sessionToken("a"), fetch: counter.fetch(valid))
        _ = try await cache.session(for: .sessionCookie("a"), fetch: counter.fetch(valid))
        #expect(counter.count == 3)
    }

    @Test func concurrentMissesShareOneCall() async throws {
        let cache = try makeCache()
        let counter = Counter()
        let fetch = counter.fetch(session(expiringIn: 3600), delay: .milliseconds(100))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<20 { group.addTask { _ = try await cache.session(for: .sessionToken("t"), fetch: fetch) } }
            try await group.waitForAll()
        }
        #expect(counter.count == 1)
    }

    @Test func failuresAreNotCached() async throws {
        let cache = try makeCache()
        await #expect(throws: KratosError.self) {
            _ = try await cache.session(for: .sessionToken("t")) { throw KratosError(.unauthenticated) }
        }
        let counter = Counter()
        _ = try await cache.session(for: .sessionToken("t"), fetch: counter.fetch(session(expiringIn: 3600)))
        #expect(counter.count == 1)
    }

    @Test func anInvalidationByAnotherProcessEndsTheCachedAnswer() async throws {
        let cache = try makeCache()
        let elsewhere = try makeCache()
        let counter = Counter()
        _ = try await cache.session(for: .sessionToken("t"), fetch: counter.fetch(session(expiringIn: 3600)))
        _ = try await cache.session(for: .sessionToken("t"), fetch: counter.fetch(session(expiringIn: 3600)))
        #expect(counter.count == 1)
        try elsewhere.state.invalidate(.session("s"))
        _ = try await cache.session(for: .sessionToken("t"), fetch: counter.fetch(session(expiringIn: 3600)))
        #expect(counter.count == 2)  // asked Kratos again
        _ = try await cache.session(for: .sessionToken("t"), fetch: counter.fetch(session(expiringIn: 3600)))
        #expect(counter.count == 2)  // and that answer, obtained after the invalidation, is trusted
    }

    /// A whoami in flight when the session is ended must not put the session back into the cache as trusted.
    @Test func anAnswerInFlightDuringAnInvalidationIsNotTrusted() async throws {
        let cache = try makeCache()
        let counter = Counter()
        let slow = Task { try await cache.session(for: .sessionToken("t"), fetch: counter.fetch(session(expiringIn: 3600), delay: .milliseconds(300))) }
        while counter.count == 0 { try await Task.sleep(for: .milliseconds(5)) }  // the whoami is in flight
        try cache.state.invalidate(.session("s"))
        _ = try await slow.value  // answered as it was when asked, concurrently with the invalidation
        #expect(counter.count == 1)
        _ = try await cache.session(for: .sessionToken("t"), fetch: counter.fetch(session(expiringIn: 3600)))
        #expect(counter.count == 2)  // the cached answer predates the invalidation: asked again
        _ = try await cache.session(for: .sessionToken("t"), fetch: counter.fetch(session(expiringIn: 3600)))
        #expect(counter.count == 2)
    }

    @Test func keysAreDigestsNotTheCredential() {
        let key = SessionCache.key(.sessionToken("ory_st_secret"))
        #expect(key.count == 64 && !key.contains("secret"))
        #expect(key != SessionCache.key(.sessionCookie("ory_st_secret")))
    }
}
