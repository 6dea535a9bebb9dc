// SPDX-License-Identifier: Apache-2.0

/// What every instance of graphql-fcgi, on one host or several, must agree on for its security promises: which
/// sessions were ended through the API (so that no instance keeps trusting a cached answer for them), and how many
/// sign-in attempts each identifier and address made (so that a limit is not multiplied by the instance count).
///
/// Implementations: `SharedMemoryState` (every process of one host, no extra service) and `RedisState` (several
/// hosts through one Redis-protocol server). A per-process cache in front of either is only an accelerator.
public protocol SecurityState: AnyObject, Sendable {
    /// Where the invalidation log stands now. Read it *before* asking the identity service about a session, and
    /// keep it with the answer: an invalidation recorded after it makes the answer stale, even one recorded while
    /// the question was in flight.
    func invalidationPosition() -> InvalidationPosition

    /// Whether an answer obtained at `position` about a session may still be trusted: false when the session, or
    /// its identity, was invalidated since — and false whenever this instance cannot be sure (the shared store
    /// unreachable), so that revocation never silently stops working.
    func isCurrent(since position: InvalidationPosition, session: StateKey, identity: StateKey?) -> Bool

    /// Records that answers about `subject` (a session or an identity) obtained before now are stale, for every
    /// instance. Throws when the store cannot record it.
    func invalidate(_ subject: StateKey) throws(SharedStateError)

    /// Counts one attempt of `key` in a fixed window of `window` that starts at its first attempt.
    func countAttempt(_ key: StateKey, window: Duration) throws(SharedStateError) -> AttemptCount

    /// Takes back one attempt of `key` (an attempt that turned out not to be a guess).
    func refundAttempt(_ key: StateKey) throws(SharedStateError)

    /// Forgets every attempt of `key`.
    func resetAttempts(_ key: StateKey) throws(SharedStateError)

    /// Keeps `value` under `key` for `lifetime`, for every instance, replacing any earlier value: what one
    /// instance starts (the recovery flow a code was sent for), another finishes.
    func remember(_ value: SharedValue, under key: StateKey, for lifetime: Duration) throws(SharedStateError)

    /// The value kept under `key`; nil when there is none, or it has expired.
    func recall(_ key: StateKey) throws(SharedStateError) -> SharedValue?

    /// How the store is doing, for `/status`, metrics and logs.
    var health: SharedStateHealth { get }
}

/// 128 bits kept in the shared state (a self-service flow's UUID).
public struct SharedValue: Sendable, Equatable {
    public let high: UInt64
    public let low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// A UUID's 128 bits (`0b9d…-…`, any case); nil for anything else.
    public init?(uuid: String) {
        let digits = uuid.filter { $0 != "-" }
        guard digits.count == 32, uuid.count == 36, let high = UInt64(digits.prefix(16), radix: 16),
            let low = UInt64(digits.suffix(16), radix: 16)
        else { return nil }
        self.init(high: high, low: low)
    }

    /// The UUID, lower-case, in its 8-4-4-4-12 form.
    public var uuid: String {
        let digits = StateKey(high: high, low: low).description
        let parts = [digits.prefix(8), digits.dropFirst(8).prefix(4), digits.dropFirst(12).prefix(4), digits.dropFirst(16).prefix(4), digits.dropFirst(20)]
        return parts.joined(separator: "-")
    }
}

/// A point in the invalidation log of a `SecurityState`; only comparable within the state that made it.
public struct InvalidationPosition: Sendable, Equatable {
    let value: UInt64

    init(_ value: UInt64) { self.value = value }
}

/// The attempts of a key in its current window, the one just counted included, and the time the window has left.
public struct AttemptCount: Sendable, Equatable {
    public let attempts: Int
    public let remaining: Duration

    public init(attempts: Int, remaining: Duration) {
        self.attempts = attempts
        self.remaining = remaining
    }
}

/// The shared store could not do what was asked; `description` is for the log, never for a client.
public struct SharedStateError: Error, CustomStringConvertible, Sendable {
    public let description: String

    public init(_ description: String) { self.description = description }
}

/// A snapshot of a store's state.
public struct SharedStateHealth: Sendable, Equatable {
    /// `shared-memory` or `redis`.
    public let backend: String
    /// Whether invalidations from other instances are known to be seen (false: cached sessions are not trusted).
    public let current: Bool
    /// Invalidations and attempt counters held, where the backend can tell.
    public let invalidations: Int?
    public let counters: Int?

    public init(backend: String, current: Bool, invalidations: Int? = nil, counters: Int? = nil) {
        self.backend = backend
        self.current = current
        self.invalidations = invalidations
        self.counters = counters
    }
}
