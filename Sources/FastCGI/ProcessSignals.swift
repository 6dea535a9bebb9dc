// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#endif

/// The process-control signals (TERM, INT, HUP), received synchronously by one thread.
///
/// Call `block()` on the main thread before any other thread starts: the mask is inherited, so no worker
/// thread (nor libfcgi's handlers) ever sees these signals, and `next()` receives them with `sigwait`.
public enum ProcessSignals {
    public enum Received: Sendable, Equatable {
        case terminate
        case interrupt
        case hangUp
    }

    private static let handled: [Int32] = [SIGTERM, SIGINT, SIGHUP]

    public static func block() { LibFCGI.blockControlSignals(handled) }

    /// Blocks until one of the control signals arrives.
    public static func next() -> Received {
        received(LibFCGI.waitForSignal(handled))
    }

    /// Waits up to `timeout` for a control signal; nil when none came, so the caller can do periodic work
    /// (systemd's watchdog, the recycling checks) on the same thread.
    public static func next(timeout: Duration) -> Received? {
        LibFCGI.waitForSignal(handled, timeout: timeout).map(received)
    }

    private static func received(_ signal: Int32) -> Received {
        switch signal {
        case SIGHUP: return .hangUp
        case SIGINT: return .interrupt
        default: return .terminate
        }
    }
}
