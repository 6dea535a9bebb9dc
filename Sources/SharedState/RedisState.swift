// SPDX-License-Identifier: Apache-2.0
import Foundation
import Synchronization

/// The security state of instances on several hosts, kept by one Redis-protocol server (Debian's `redis-server`,
/// or Valkey) through hiredis.
///
/// - Invalidations go to a Redis stream (`graphql-fcgi:invalidations`, trimmed to about 100,000 entries). Each
///   process follows it with a blocking `XREAD` on a thread of its own and learns an invalidation as soon as Redis
///   has it; the invalidating process learns its own at once. Positions are this process's own count of what it
///   learned, so clocks of different hosts are never compared.
/// - Attempt counters are Redis keys (`graphql-fcgi:attempts:<key>`), counted and expired atomically by a script.
/// - When the stream cannot be followed (Redis down, a network cut), `isCurrent` answers false until it can again,
///   so every cached session is checked with Kratos meanwhile; once it is followed again, every answer from before
///   is dropped, since invalidations may have been missed. Commands fail fast for a second after a failure.
public final class RedisState: SecurityState, Sendable {
    public let endpoint: RedisEndpoint
    /// How long the stream may go unheard before cached sessions stop being trusted.
    public static let staleAfter: Duration = .seconds(1)
    static let streamKey = "graphql-fcgi:invalidations"
    static let attemptsPrefix = "graphql-fcgi:attempts:"
    static let valuesPrefix = "graphql-fcgi:values:"

    private let commands: Mutex<CommandChannel>
    private let learned: Mutex<LearnedInvalidations>
    private let retention: Duration
    private let stopping = Atomic<Bool>(false)

    /// Connects lazily: a Redis that is down at startup only means the state is not current yet.
    /// - Parameters:
    ///   - retention: How long a learned invalidation is kept: at least as long as a session answer is cached.
    ///   - timeout: Connect, read and write timeout of each command.
    public init(endpoint: RedisEndpoint, retention: Duration, timeout: Duration = .milliseconds(500)) {
        self.endpoint = endpoint
        self.retention = retention
        commands = Mutex(CommandChannel(connection: RedisConnection(endpoint: endpoint, timeout: timeout)))
        learned = Mutex(LearnedInvalidations())
    }

    /// Starts following the invalidation stream; call once.
    public func start() {
        let thread = Thread { [self] in follow() }
        thread.name = "graphql-fcgi redis follower"
        thread.start()
    }

    /// Stops following (within a read timeout).
    public func stop() {
        stopping.store(true, ordering: .relaxed)
    }

    // MARK: - SecurityState

    public func invalidationPosition() -> InvalidationPosition {
        InvalidationPosition(learned.withLock { $0.generation })
    }

    public func isCurrent(since position: InvalidationPosition, session: StateKey, identity: StateKey?) -> Bool {
        learned.withLock { learned in
            guard learned.isFollowed else { return false }
            return !learned.invalidated(after: position.value, session) && !(identity.map { learned.invalidated(after: position.value, $0) } ?? false)
        }
    }

    public func invalidate(_ subject: StateKey) throws(SharedStateError) {
        learned.withLock { $0.learn(subject) }
        _ = try command(["XADD", Self.streamKey, "MAXLEN", "~", "100000", "*", "key", subject.description])
    }

    public func countAttempt(_ key: StateKey, window: Duration) throws(SharedStateError) -> AttemptCount {
        let milliseconds = String(max(1, SharedMemoryState.milliseconds(window)))
        let reply = try command(["EVAL", Self.countScript, "1", Self.attemptsPrefix + key.description, milliseconds])
        guard case .array(let values) = reply, values.count == 2, case .integer(let attempts) = values[0],
            case .integer(let remaining) = values[1]
        else { throw SharedStateError("Redis \(endpoint.redacted): unexpected answer to the attempt counter") }
        return AttemptCount(attempts: Int(attempts), remaining: .milliseconds(max(0, remaining)))
    }

    public func refundAttempt(_ key: StateKey) throws(SharedStateError) {
        _ = try command(["EVAL", Self.refundScript, "1", Self.attemptsPrefix + key.description])
    }

    public func resetAttempts(_ key: StateKey) throws(SharedStateError) {
        _ = try command(["DEL", Self.attemptsPrefix + key.description])
    }

    public func remember(_ value: SharedValue, under key: StateKey, for lifetime: Duration) throws(SharedStateError) {
        let milliseconds = String(max(1, SharedMemoryState.milliseconds(lifetime)))
        _ = try command(["SET", Self.valuesPrefix + key.description, StateKey(high: value.high, low: value.low).description, "PX", milliseconds])
    }

    public func recall(_ key: StateKey) throws(SharedStateError) -> SharedValue? {
        switch try command(["GET", Self.valuesPrefix + key.description]) {
        case .null: return nil
        case .string(let digits):
            guard digits.count == 32, let high = UInt64(digits.prefix(16), radix: 16), let low = UInt64(digits.suffix(16), radix: 16)
            else { throw SharedStateError("Redis \(endpoint.redacted): unexpected value under a shared key") }
            return SharedValue(high: high, low: low)
        default: throw SharedStateError("Redis \(endpoint.redacted): unexpected answer to GET")
        }
    }

    public var health: SharedStateHealth {
        learned.withLock { learned in
            SharedStateHealth(backend: "redis", current: learned.isFollowed, invalidations: learned.subjects.count)
        }
    }

    // MARK: - Plumbing

    /// INCR, and the window's expiry on the first attempt (or when a key somehow has none).
    static let countScript = """
        local attempts = redis.call('INCR', KEYS[1])
        local remaining = redis.call('PTTL', KEYS[1])
        if remaining < 0 then
          redis.call('PEXPIRE', KEYS[1], ARGV[1])
          remaining = tonumber(ARGV[1])
        end
        return {attempts, remaining}
        """

    static let refundScript = """
        local attempts = tonumber(redis.call('GET', KEYS[1]) or '0')
        if attempts > 0 then redis.call('DECR', KEYS[1]) end
        return 0
        """

    private func command(_ arguments: [String]) throws(SharedStateError) -> RedisConnection.Reply {
        try commands.withLock { channel throws(SharedStateError) in try channel.run(arguments) }
    }

    /// The follower thread: reads the stream from where it stood when it (re)connected, one blocking read at a time.
    private func follow() {
        let connection = RedisConnection(endpoint: endpoint, timeout: .seconds(2))
        var lastID: String?
        var lastPrune = ContinuousClock.now
        while !stopping.load(ordering: .relaxed) {
            do throws(SharedStateError) {
                if lastID == nil {
                    lastID = try Self.newestID(connection)
                    // Invalidations may have been missed while the stream was not followed: nothing from before is trusted.
                    learned.withLock { $0.distrustEverything() }
                }
                let reply = try connection.command(["XREAD", "COUNT", "1000", "BLOCK", "250", "STREAMS", Self.streamKey, lastID ?? "$"])
                let entries = Self.entries(reply)
                learned.withLock { learned in
                    for entry in entries { if let key = entry.key { learned.learn(key) } }
                    learned.lastHeard = .now
                }
                if let newest = entries.last?.id { lastID = newest }
            } catch {
                connection.disconnect()
                lastID = nil
                Thread.sleep(forTimeInterval: 0.2)
            }
            if ContinuousClock.now - lastPrune > .seconds(5) {
                lastPrune = .now
                learned.withLock { $0.forget(olderThan: retention) }
            }
        }
        connection.disconnect()
    }

    private static func newestID(_ connection: RedisConnection) throws(SharedStateError) -> String {
        let reply = try connection.command(["XREVRANGE", streamKey, "+", "-", "COUNT", "1"])
        return entries(.array([.array([.string(streamKey), reply])])).last?.id ?? "0-0"
    }

    /// The `(id, key)` pairs of an `XREAD` answer (`[[stream, [[id, [field, value…]]…]]]`).
    private static func entries(_ reply: RedisConnection.Reply) -> [(id: String, key: StateKey?)] {
        guard case .array(let streams) = reply, case .array(let stream)? = streams.first, stream.count == 2,
            case .array(let items) = stream[1]
        else { return [] }
        return items.compactMap { item in
            guard case .array(let parts) = item, parts.count == 2, case .string(let id) = parts[0] else { return nil }
            guard case .array(let fields) = parts[1], fields.count == 2, case .string(let hex) = fields[1] else { return (id, nil) }
            return (id, StateKey(hex: hex))
        }
    }
}

/// The command connection, and when it may be tried again after a failure.
private struct CommandChannel: ~Copyable {
    let connection: RedisConnection
    var retryAt: ContinuousClock.Instant?

    mutating func run(_ arguments: [String]) throws(SharedStateError) -> RedisConnection.Reply {
        if let retryAt, ContinuousClock.now < retryAt {
            throw SharedStateError("Redis \(connection.endpoint.redacted): unreachable, not retried for a second")
        }
        do {
            let reply = try connection.command(arguments)
            retryAt = nil
            return reply
        } catch {
            if !connection.isConnected { retryAt = .now + .seconds(1) }
            throw error
        }
    }
}

/// The invalidations this process learned, numbered in the order it learned them.
private struct LearnedInvalidations {
    var generation: UInt64 = 0
    /// Answers obtained before this generation are stale (the stream was not followed for a while).
    var distrustBefore: UInt64 = 0
    var subjects: [StateKey: (generation: UInt64, learned: ContinuousClock.Instant)] = [:]
    var lastHeard: ContinuousClock.Instant?

    /// Whether the stream was heard from lately enough to trust that no invalidation went unseen.
    var isFollowed: Bool { lastHeard.map { ContinuousClock.now - $0 < RedisState.staleAfter } ?? false }

    mutating func learn(_ subject: StateKey) {
        generation += 1
        subjects[subject] = (generation, .now)
    }

    mutating func distrustEverything() {
        generation += 1
        distrustBefore = generation
    }

    func invalidated(after position: UInt64, _ subject: StateKey) -> Bool {
        distrustBefore > position || (subjects[subject].map { $0.generation > position } ?? false)
    }

    /// An answer is never kept longer than the retention, so older invalidations concern no cached answer.
    mutating func forget(olderThan retention: Duration) {
        let cutoff = ContinuousClock.now - retention
        subjects = subjects.filter { $0.value.learned > cutoff }
    }
}

extension StateKey {
    /// The key whose `description` is `hex`.
    init?(hex: String) {
        guard hex.utf8.count == 32, let high = UInt64(hex.prefix(16), radix: 16), let low = UInt64(hex.suffix(16), radix: 16) else {
            return nil
        }
        self.init(high: high, low: low)
    }
}
