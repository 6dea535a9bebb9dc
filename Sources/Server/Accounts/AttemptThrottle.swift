// SPDX-License-Identifier: Apache-2.0
import SharedState
import Synchronization

/// Attempts per key in fixed windows, counted in this process only: what `SignInThrottle` falls back to while the
/// shared state cannot be reached (logged and counted each time), so a limit degrades to "per instance", never to
/// "none". Bounded to `maxKeys` of 16-byte keys (when full, expired windows go first, then the tenth of the keys
/// whose windows end soonest).
public final class AttemptThrottle: Sendable {
    /// A limit of attempts per window.
    public struct Rule: Sendable, Equatable {
        /// Attempts allowed in one window; 0 switches the rule off.
        public var limit: Int
        /// How long a window lasts, from the first attempt in it.
        public var window: Duration

        /// A limit of `limit` attempts per `window`.
        public init(limit: Int, window: Duration) {
            self.limit = limit
            self.window = window
        }

        var isOn: Bool { limit > 0 }
    }

    private struct Window {
        var count: Int
        var ends: ContinuousClock.Instant
    }

    private let maxKeys: Int
    private let windows = Mutex<[StateKey: Window]>([:])

    /// An empty throttle that tracks at most `maxKeys` keys (at least 1).
    public init(maxKeys: Int = 100_000) {
        self.maxKeys = max(1, maxKeys)
    }

    /// Counts one attempt of `key`; the attempts in its window so far and the time left in it.
    func count(_ key: StateKey, window length: Duration, now: ContinuousClock.Instant = .now) -> AttemptCount {
        windows.withLock { windows in
            if var window = windows[key], window.ends > now {
                window.count = window.count.addingReportingOverflow(1).overflow ? Int.max : window.count + 1
                windows[key] = window
                return AttemptCount(attempts: window.count, remaining: window.ends - now)
            }
            if windows.count >= maxKeys { Self.makeRoom(in: &windows, now: now, keep: maxKeys) }
            windows[key] = Window(count: 1, ends: now.advanced(by: length))
            return AttemptCount(attempts: 1, remaining: length)
        }
    }

    func refund(_ key: StateKey) {
        windows.withLock { windows in
            if let window = windows[key], window.count > 0 { windows[key]?.count = window.count - 1 }
        }
    }

    func reset(_ key: StateKey) {
        _ = windows.withLock { $0.removeValue(forKey: key) }
    }

    var trackedKeys: Int { windows.withLock { $0.count } }

    private static func makeRoom(in windows: inout [StateKey: Window], now: ContinuousClock.Instant, keep: Int) {
        windows = windows.filter { $0.value.ends > now }
        guard windows.count >= keep else { return }
        let soonest = windows.sorted { $0.value.ends < $1.value.ends }.prefix(max(1, keep / 10))
        for (key, _) in soonest { windows.removeValue(forKey: key) }
    }
}
