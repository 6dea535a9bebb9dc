import Foundation
import Testing
import TestSupport

@testable import SharedState

/// Against a real `redis-server` started for the suite on a free loopback port.
@Suite(.serialized) struct RedisStateTests {
    @Test func endpointsParse() {
        #expect(RedisEndpoint(url: "redis://127.0.0.1:6380/2") == RedisEndpoint(host: "127.0.0.1", port: 6380, database: 2))
        #expect(RedisEndpoint(url: "redis://:s%40cret@cache.example/")?.password == "s@cret")
        #expect(RedisEndpoint(url: "redis://[::1]:7000")?.host == "::1")
        #expect(RedisEndpoint(url: "redis://host:0") == nil)
        #expect(RedisEndpoint(url: "http://host") == nil)
        #expect(RedisEndpoint(url: "redis://u:p@h:1/0")?.redacted == "redis://***@h:1/0")
    }

    @Test func twoInstancesShareInvalidationsAndCounters() throws {
        let server = try RedisServerProcess()
        defer { server.stop() }
        let first = RedisState(endpoint: server.endpoint, retention: .seconds(60))
        let second = RedisState(endpoint: server.endpoint, retention: .seconds(60))
        first.start()
        second.start()
        defer { first.stop(); second.stop() }
        try waitUntil { first.health.current && second.health.current }

        let session = StateKey("session", "s1")
        let before = second.invalidationPosition()
        #expect(second.isCurrent(since: before, session: session, identity: nil))
        try first.invalidate(session)
        #expect(!first.isCurrent(since: before, session: session, identity: nil))  // at once where it happened
        try waitUntil { !second.isCurrent(since: before, session: session, identity: nil) }
        #expect(second.isCurrent(since: second.invalidationPosition(), session: session, identity: nil))

        let key = StateKey("login-identifier", "a@example.com")
        #expect(try first.countAttempt(key, window: .seconds(60)).attempts == 1)
        #expect(try second.countAttempt(key, window: .seconds(60)).attempts == 2)
        try first.refundAttempt(key)
        #expect(try second.countAttempt(key, window: .seconds(60)).attempts == 2)
        try second.resetAttempts(key)
        #expect(try first.countAttempt(key, window: .seconds(60)).attempts == 1)

        let flowKey = StateKey("recovery-flow", "a@example.com")
        let flow = SharedValue(high: 0x0b9d_2c1e_7f3a_4c5b, low: 0x9e8d_1a2b_3c4d_5e6f)
        #expect(try second.recall(flowKey) == nil)
        try first.remember(flow, under: flowKey, for: .seconds(60))
        #expect(try second.recall(flowKey) == flow)
        try first.remember(flow, under: flowKey, for: .milliseconds(50))
        Thread.sleep(forTimeInterval: 0.15)
        #expect(try second.recall(flowKey) == nil)
    }

    @Test func anUnreachableStoreIsNeverTrusted() throws {
        let server = try RedisServerProcess()
        let state = RedisState(endpoint: server.endpoint, retention: .seconds(60))
        state.start()
        defer { state.stop() }
        try waitUntil { state.health.current }
        let position = state.invalidationPosition()
        let session = StateKey("session", "s1")
        #expect(state.isCurrent(since: position, session: session, identity: nil))
        server.stop()
        try waitUntil { !state.isCurrent(since: position, session: session, identity: nil) }
        #expect(throws: SharedStateError.self) { try state.countAttempt(session, window: .seconds(1)) }
        #expect(throws: SharedStateError.self) { try state.invalidate(session) }
    }

    func waitUntil(_ condition: () -> Bool) throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while !condition() {
            guard ContinuousClock.now < deadline else { throw SharedStateError("condition not met within 20 s") }
            Thread.sleep(forTimeInterval: 0.01)
        }
    }
}

extension RedisServerProcess {
    var endpoint: RedisEndpoint { RedisEndpoint(url: "redis://127.0.0.1:\(port)")! }
}

extension RedisEndpoint {
    init(host: String, port: Int, database: Int) {
        self = RedisEndpoint(url: "redis://\(host):\(port)/\(database)")!
    }
}
