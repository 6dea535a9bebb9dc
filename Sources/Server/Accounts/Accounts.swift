// SPDX-License-Identifier: Apache-2.0
public import Kratos
public import Logging
import Metrics
public import SharedState

/// Everything the account resolvers need: the Kratos client, the session cache, the throttle, the state every
/// instance shares, and a logger for failures.
public final class Accounts: Sendable {
    public let kratos: KratosClient
    public let sessions: SessionCache
    /// Failed logins and registrations counted per identifier and client address.
    public let throttle: SignInThrottle
    let logger: Logger

    /// - Parameter throttle: Defaults to the default limits on the session cache's shared state.
    public init(kratos: KratosClient, sessions: SessionCache, throttle: SignInThrottle? = nil, logger: Logger) {
        self.kratos = kratos
        self.sessions = sessions
        self.throttle = throttle ?? SignInThrottle(state: sessions.state, failed: Self.reporter(logger))
        self.logger = logger
    }

    /// The active session `credential` names, through the cache.
    public func session(for credential: KratosCredential) async throws(KratosError) -> KratosSession {
        do {
            return try await sessions.session(for: credential) { [kratos] in try await kratos.whoami(credential) }
        } catch let error as KratosError {
            throw error
        } catch {
            throw KratosError(.unavailable, detail: "\(type(of: error))")
        }
    }

    /// Tells every instance that answers about `subject` obtained until now are stale (a session ended, or every
    /// session of an identity). Kratos has already ended them; if the shared state cannot record it, the failure is
    /// logged and counted, and other instances trust their cached answer for at most the cache's TTL.
    func invalidate(_ subject: StateKey) {
        do {
            try sessions.state.invalidate(subject)
        } catch {
            Self.reporter(logger)("invalidate", error)
        }
    }

    /// Logs and counts what the shared state could not do (`graphql_fcgi_shared_state_failures_total`).
    public static func reporter(_ logger: Logger) -> @Sendable (String, SharedStateError) -> Void {
        { operation, error in
            Counter(label: "graphql_fcgi_shared_state_failures_total", dimensions: [("operation", operation)]).increment()
            logger.error("shared state failed", metadata: ["operation": "\(operation)", "error": "\(error)"])
        }
    }
}
