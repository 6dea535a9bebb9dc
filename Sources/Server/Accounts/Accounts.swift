// SPDX-License-Identifier: Apache-2.0
public import Kratos
public import Logging
public import SharedState

/// Everything the account resolvers need: the Kratos client, the session cache, the throttle, the state every
/// instance shares, and a logger for failures.
public final class Accounts: Sendable {
    /// The Kratos client the account resolvers call.
    public let kratos: KratosClient
    /// Sessions checked with Kratos, and the shared state that says which are still good.
    public let sessions: SessionCache
    /// Failed logins and registrations counted per identifier and client address.
    public let throttle: SignInThrottle
    let logger: Logger
    private let reportSharedStateFailure: @Sendable (String, SharedStateError) -> Void

    /// - Parameters:
    ///   - throttle: Defaults to the default limits on the session cache's shared state.
    ///   - metrics: Where failures of the shared state are counted, if anywhere.
    public init(kratos: KratosClient, sessions: SessionCache, throttle: SignInThrottle? = nil, logger: Logger, metrics: ServerMetrics? = nil) {
        let report = Self.sharedStateFailureReporter(logger: logger, metrics: metrics)
        self.kratos = kratos
        self.sessions = sessions
        self.throttle = throttle ?? SignInThrottle(state: sessions.state, failed: report)
        self.logger = logger
        self.reportSharedStateFailure = report
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
            reportSharedStateFailure("invalidate", error)
        }
    }

    /// Keeps `value` under `key` for every instance (the self-service flow a code or a TOTP secret belongs to). A
    /// failure is logged and counted, and answered as the service being unavailable.
    func remember(_ value: SharedValue, under key: StateKey, for lifetime: Duration) throws {
        do {
            try sessions.state.remember(value, under: key, for: lifetime)
        } catch {
            reportSharedStateFailure("remember", error)
            throw AccountErrors.graphQLError(KratosError(.unavailable, detail: "\(error)"))
        }
    }

    /// The value kept under `key`, nil when there is none; a failure as for `remember`.
    func recall(_ key: StateKey) throws -> SharedValue? {
        do {
            return try sessions.state.recall(key)
        } catch {
            reportSharedStateFailure("recall", error)
            throw AccountErrors.graphQLError(KratosError(.unavailable, detail: "\(error)"))
        }
    }

    /// Logs what the shared state could not do as an error, and counts it
    /// (`graphql_fcgi_shared_state_failures_total{operation}`).
    public static func sharedStateFailureReporter(logger: Logger, metrics: ServerMetrics?) -> @Sendable (String, SharedStateError) -> Void {
        { operation, error in
            metrics?.recordSharedStateFailure(operation)
            logger.error("shared state failed", metadata: ["operation": "\(operation)", "error": "\(error)"])
        }
    }
}
