import Foundation
import Testing

@testable import SharedState

/// Two mappings of one table stand for two worker processes of a host (the system tests use real processes).
@Suite struct SharedMemoryStateTests {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("state-\(UUID().uuidString)").path

    func open(capacity: Int = 1_024) throws -> SharedMemoryState {
        try SharedMemoryState(path: path, capacity: capacity, retention: .seconds(60))
    }

    @Test func anInvalidationIsSeenThroughEveryMapping() throws {
        let first = try open()
        let second = try open()
        let session = StateKey("session", "s1")
        let identity = StateKey("identity", "i1")
        let before = second.invalidationPosition()
        #expect(second.isCurrent(since: before, session: session, identity: identity))
        first.invalidate(session)
        #expect(!second.isCurrent(since: before, session: session, identity: identity))
        #expect(!first.isCurrent(since: before, session: session, identity: nil))
        // An answer obtained after the invalidation is current, and other sessions never stopped being.
        #expect(second.isCurrent(since: second.invalidationPosition(), session: session, identity: identity))
        #expect(second.isCurrent(since: before, session: StateKey("session", "s2"), identity: StateKey("identity", "i2")))
        first.invalidate(identity)
        #expect(!second.isCurrent(since: before, session: StateKey("session", "s2"), identity: identity))
    }

    @Test func attemptsAreCountedOncePerAttemptAcrossMappings() throws {
        let first = try open()
        let second = try open()
        let key = StateKey("login-identifier", "a@example.com")
        #expect(first.countAttempt(key, window: .seconds(60)).attempts == 1)
        #expect(second.countAttempt(key, window: .seconds(60)).attempts == 2)
        second.refundAttempt(key)
        let third = first.countAttempt(key, window: .seconds(60))
        #expect(third.attempts == 2 && third.remaining <= .seconds(60) && third.remaining > .seconds(58))
        first.resetAttempts(key)
        #expect(second.countAttempt(key, window: .seconds(60)).attempts == 1)
    }

    @Test func aValueKeptByOneMappingIsRecalledByAnotherUntilItExpires() throws {
        let first = try open()
        let second = try open()
        let key = StateKey("recovery-flow", "a@example.com")
        let flow = try #require(SharedValue(uuid: "0B9D2C1E-7F3A-4C5B-9E8D-1A2B3C4D5E6F"))
        #expect(flow.uuid == "0b9d2c1e-7f3a-4c5b-9e8d-1a2b3c4d5e6f")
        #expect(second.recall(key) == nil)
        first.remember(flow, under: key, for: .seconds(60))
        #expect(second.recall(key) == flow)
        let newer = SharedValue(high: .max, low: 1)
        second.remember(newer, under: key, for: .milliseconds(50))
        #expect(first.recall(key) == newer)
        #expect(first.recall(StateKey("recovery-flow", "b@example.com")) == nil)
        Thread.sleep(forTimeInterval: 0.1)
        #expect(first.recall(key) == nil)
        #expect(SharedValue(uuid: "not-a-uuid") == nil && SharedValue(uuid: "0b9d2c1e7f3a4c5b9e8d1a2b3c4d5e6f") == nil)
    }

    @Test func aWindowEnds() throws {
        let state = try open()
        let key = StateKey("k", "v")
        _ = state.countAttempt(key, window: .milliseconds(30))
        _ = state.countAttempt(key, window: .milliseconds(30))
        Thread.sleep(forTimeInterval: 0.05)
        #expect(state.countAttempt(key, window: .milliseconds(30)).attempts == 1)
    }

    @Test func whenInvalidationsOverflowOlderAnswersStopBeingTrusted() throws {
        let state = try open(capacity: 64)
        let position = state.invalidationPosition()
        let untouched = StateKey("session", "never invalidated")
        for index in 0..<200 { state.invalidate(StateKey("session", "s\(index)")) }
        // Some invalidations were dropped for room: nothing obtained before them can be trusted any more.
        #expect(!state.isCurrent(since: position, session: untouched, identity: nil))
        #expect(state.isCurrent(since: state.invalidationPosition(), session: untouched, identity: nil))
        #expect(state.health.invalidations == 64)
    }

    @Test func countersStayWithinTheirCapacity() throws {
        let state = try open(capacity: 64)
        for index in 0..<1_000 { _ = state.countAttempt(StateKey("address", "\(index)"), window: .seconds(60)) }
        #expect(state.health.counters == 64)
        #expect(state.countAttempt(StateKey("address", "999"), window: .seconds(60)).attempts == 2)
    }

    @Test func aFileOfAnotherKindIsRefused() throws {
        try Data("not a table".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: SharedStateError.self) { try open() }
    }
}
