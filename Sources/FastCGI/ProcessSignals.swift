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
        switch LibFCGI.waitForSignal(handled) {
        case SIGHUP: return .hangUp
        case SIGINT: return .interrupt
        default: return .terminate
        }
    }
}
