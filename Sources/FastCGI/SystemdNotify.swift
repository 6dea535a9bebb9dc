// SPDX-License-Identifier: Apache-2.0
import CFastCGI

/// systemd's readiness protocol (`Type=notify`): READY=1, STATUS=…, WATCHDOG=1 and STOPPING=1, sent to the
/// datagram socket named by `NOTIFY_SOCKET`. Without that variable (not started by systemd) every call does
/// nothing, like `sd_notify(3)`.
public struct SystemdNotify: Sendable {
    private let socketPath: String?
    /// How often systemd expects WATCHDOG=1 (half its `WatchdogSec=`, as sd_watchdog_enabled advises); nil when
    /// the unit has no watchdog.
    public let watchdogInterval: Duration?

    public init(environment: [String: String]) {
        socketPath = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
        if let text = environment["WATCHDOG_USEC"], let microseconds = Int(text), microseconds > 0 {
            watchdogInterval = .microseconds(microseconds / 2)
        } else {
            watchdogInterval = nil
        }
    }

    public var isEnabled: Bool { socketPath != nil }

    /// Sends `state` (newline-separated `KEY=value` assignments); failures are ignored, as systemd's are.
    public func send(_ state: String) {
        guard let socketPath else { return }
        _ = CFastCGI_notify(socketPath, state)
    }
}
