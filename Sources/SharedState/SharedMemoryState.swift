// SPDX-License-Identifier: Apache-2.0
import CSharedMemory
import Glibc

/// The security state of every worker process on one host, in a file they all map (`CSharedMemory`): an
/// invalidation recorded by one process is seen by every other on its next request, and an attempt counted by one
/// is counted for all, without any extra service. The default.
///
/// The file lives under the unit's runtime directory (`/run/graphql-fcgi-state/`), so it is gone after a reboot,
/// when no cached session is left either. Its size is fixed when it is made: `capacity` invalidations and as many
/// attempt counters (32 bytes each). When the invalidations of the last `retention` fill a probe run, the oldest
/// is dropped and every answer older than it stops being trusted (one extra call to Kratos per cached session);
/// when counters fill one, the counter whose window ends first is dropped.
public final class SharedMemoryState: SecurityState, @unchecked Sendable {
    // @unchecked: the table is only touched through the C functions, which lock its process-shared mutex.
    private let table: OpaquePointer
    public let path: String

    /// Maps the table at `path`, making it when there is none.
    /// - Parameters:
    ///   - capacity: Entries of each kind; 65,536 (4 MiB) by default.
    ///   - retention: How long an invalidation is remembered: at least as long as a session answer is cached.
    public init(path: String, capacity: Int = 65_536, retention: Duration) throws(SharedStateError) {
        let entries = UInt32(clamping: max(1, capacity))
        guard let table = shared_table_open(path, entries, Self.milliseconds(retention)) else {
            let reason = errno == EPROTO ? "made by another program or version; remove it" : String(cString: strerror(errno))
            throw SharedStateError("shared state \(path): \(reason)")
        }
        self.table = table
        self.path = path
    }

    deinit { shared_table_close(table) }

    public func invalidationPosition() -> InvalidationPosition {
        InvalidationPosition(shared_table_sequence(table))
    }

    public func isCurrent(since position: InvalidationPosition, session: StateKey, identity: StateKey?) -> Bool {
        let other = identity ?? StateKey.none
        return shared_table_invalidated_after(table, position.value, session.high, session.low, other.high, other.low) == 0
    }

    public func invalidate(_ subject: StateKey) {
        _ = shared_table_invalidate(table, subject.high, subject.low)
    }

    public func countAttempt(_ key: StateKey, window: Duration) -> AttemptCount {
        var remaining: Int64 = 0
        let attempts = shared_table_count(table, key.high, key.low, Self.milliseconds(window), &remaining)
        return AttemptCount(attempts: Int(attempts), remaining: .milliseconds(max(0, remaining)))
    }

    public func refundAttempt(_ key: StateKey) {
        shared_table_refund(table, key.high, key.low)
    }

    public func resetAttempts(_ key: StateKey) {
        shared_table_reset(table, key.high, key.low)
    }

    public func remember(_ value: SharedValue, under key: StateKey, for lifetime: Duration) {
        let (first, second) = Self.halves(of: key)
        shared_table_put_pair(table, first.high, first.low, Int64(bitPattern: value.high), second.high, second.low,
                              Int64(bitPattern: value.low), Self.milliseconds(lifetime))
    }

    public func recall(_ key: StateKey) -> SharedValue? {
        let (first, second) = Self.halves(of: key)
        var high: Int64 = 0
        var low: Int64 = 0
        guard shared_table_get_pair(table, first.high, first.low, &high, second.high, second.low, &low) == 1 else { return nil }
        return SharedValue(high: UInt64(bitPattern: high), low: UInt64(bitPattern: low))
    }

    /// The two slots a value's halves are kept in (a slot holds 64 bits).
    private static func halves(of key: StateKey) -> (StateKey, StateKey) {
        (StateKey("value-high", key.description), StateKey("value-low", key.description))
    }

    public var health: SharedStateHealth {
        var invalidations: UInt32 = 0
        var counters: UInt32 = 0
        var capacity: UInt32 = 0
        shared_table_usage(table, &invalidations, &counters, &capacity)
        return SharedStateHealth(backend: "shared-memory", current: true, invalidations: Int(invalidations), counters: Int(counters))
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        if overflow { return seconds < 0 ? 0 : Int64.max / 2 }
        return max(0, whole.addingReportingOverflow(attoseconds / 1_000_000_000_000_000).partialValue)
    }
}

extension StateKey {
    /// No key: the C functions skip a second key of 0:0.
    static let none = StateKey(high: 0, low: 0)
}
