// SPDX-License-Identifier: Apache-2.0
public import Kratos
public import Logging

/// Everything the account resolvers need: the Kratos client, the session cache, and a logger for failures.
public final class Accounts: Sendable {
    public let kratos: KratosClient
    public let sessions: SessionCache
    /// Failed logins and registrations counted per identifier and client address.
    public let throttle: SignInThrottle
    let logger: Logger

    public init(kratos: KratosClient, sessions: SessionCache, throttle: SignInThrottle = SignInThrottle(), logger: Logger) {
        self.kratos = kratos
        self.sessions = sessions
        self.throttle = throttle
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
}
