// SPDX-License-Identifier: Apache-2.0
import Synchronization

/// Counts attempts per key in a fixed window: once a key has `limit` of them, it is refused until its window ends.
/// Shared by every thread of a process; bounded to `maxKeys` (when full, expired windows are dropped first, then
/// the tenth of the keys whose windows end soonest).
public final class AttemptThrottle: Sendable {
    public struct Rule: Sendable, Equatable {
        /// Attempts allowed in one window; 0 switches the rule off.
        public var limit: Int
        public var window: Duration

        public init(limit: Int, window: Duration) {
            self.limit = limit
            self.window = window
        }
    }

    private struct Window {
        var count: Int
        var ends: ContinuousClock.Instant
    }

    public let rule: Rule
    private let maxKeys: Int
    private let windows = Mutex<[String: Window]>([:])

    public init(rule: Rule, maxKeys: Int = 100_000) {
        self.rule = rule
        self.maxKeys = max(1, maxKeys)
    }

    /// How long `key` must wait, or nil when it may try now.
    public func retryAfter(_ key: String, now: ContinuousClock.Instant = .now) -> Duration? {
        guard rule.limit > 0 else { return nil }
        return windows.withLock { windows in
            guard let window = windows[key], window.ends > now, window.count >= rule.limit else { return nil }
            return window.ends - now
        }
    }

    /// Counts one attempt of `key`.
    public func record(_ key: String, now: ContinuousClock.Instant = .now) {
        guard rule.limit > 0 else { return }
        windows.withLock { windows in
            if var window = windows[key], window.ends > now {
                window.count += 1
                windows[key] = window
                return
            }
            if windows.count >= maxKeys { Self.makeRoom(in: &windows, now: now, keep: maxKeys) }
            windows[key] = Window(count: 1, ends: now.advanced(by: rule.window))
        }
    }

    /// Forgets `key` (a successful sign-in clears its identifier's failures).
    public func reset(_ key: String) {
        _ = windows.withLock { $0.removeValue(forKey: key) }
    }

    public var trackedKeys: Int { windows.withLock { $0.count } }

    private static func makeRoom(in windows: inout [String: Window], now: ContinuousClock.Instant, keep: Int) {
        windows = windows.filter { $0.value.ends > now }
        guard windows.count >= keep else { return }
        let soonest = windows.sorted { $0.value.ends < $1.value.ends }.prefix(max(1, keep / 10))
        for (key, _) in soonest { windows.removeValue(forKey: key) }
    }
}
