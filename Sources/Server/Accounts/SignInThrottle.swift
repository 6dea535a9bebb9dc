// SPDX-License-Identifier: Apache-2.0
import Foundation
import GraphQL
public import SharedState
import GraphQLEngine

/// Brute-force protection for the account mutations, which Kratos does not have: failed `login`s are limited per
/// identifier and per client address, `registerUser` calls per client address. A refused attempt never reaches
/// Kratos and answers `RATE_LIMITED` with `extensions.retryAfter` (seconds) and a `Retry-After` header.
///
/// The counters live in the shared `SecurityState`, so every instance and host counts against one limit. An
/// attempt is counted when it is checked — so concurrent guesses cannot slip past the limit together — and given
/// back when it turns out not to be a guess: refused by the throttle itself, answered by a successful login (which
/// also clears the identifier's failures), or not judged by Kratos (unavailable). Keys are digests of the
/// normalised identifier or the address: 16 bytes each, whatever a client sends.
public final class SignInThrottle: Sendable {
    /// The throttle's limits; every property has a production default.
    public struct Configuration: Sendable, Equatable {
        /// Failed logins of one identifier. Default 10 per 15 minutes; a successful login clears them.
        public var loginFailuresPerIdentifier = AttemptThrottle.Rule(limit: 10, window: .seconds(15 * 60))
        /// Failed logins from one client address (any identifier). Default 50 per 15 minutes.
        public var loginFailuresPerAddress = AttemptThrottle.Rule(limit: 50, window: .seconds(15 * 60))
        /// `registerUser` calls from one client address. Default 10 per hour.
        public var registrationsPerAddress = AttemptThrottle.Rule(limit: 10, window: .seconds(60 * 60))
        /// Keys the in-process fallback keeps at most. Default 100,000 (a few MB).
        public var maxKeys = 100_000

        /// The production defaults.
        public init() {}
    }

    /// The counters one login attempt took; give it back to `loginFinished`.
    struct LoginAttempt {
        fileprivate let identifier: StateKey?
        fileprivate let address: StateKey?
    }

    enum LoginOutcome {
        case succeeded
        /// Kratos refused the credentials: the attempt stays counted.
        case refusedCredentials
        /// Kratos did not judge the credentials (unavailable, a flow error): not a guess.
        case notJudged
    }

    /// `extensions.code` of a refused attempt.
    public static let rateLimitedCode = ErrorCode.rateLimited

    private let configuration: Configuration
    private let state: any SecurityState
    private let fallback: AttemptThrottle
    private let failed: @Sendable (String, SharedStateError) -> Void

    /// - Parameters:
    ///   - state: Where the counters are shared.
    ///   - failed: Told of each operation the shared state could not do (the throttle then counts in this process).
    public init(
        configuration: Configuration = .init(),
        state: any SecurityState,
        failed: @escaping @Sendable (_ operation: String, SharedStateError) -> Void = { _, _ in }
    ) {
        self.configuration = configuration
        self.state = state
        self.fallback = AttemptThrottle(maxKeys: configuration.maxKeys)
        self.failed = failed
    }

    /// Counts a login attempt of `identifier` (normalised as Kratos does, see `LoginIdentifier`) from `address`,
    /// refusing it with `RATE_LIMITED` when either has used up its failures.
    func admitLogin(identifier: LoginIdentifier, address: String) throws(RateLimited) -> LoginAttempt {
        let identifierRule = configuration.loginFailuresPerIdentifier
        let addressRule = configuration.loginFailuresPerAddress
        let attempt = LoginAttempt(
            identifier: identifierRule.isOn ? StateKey("login-identifier", identifier.throttleKey) : nil,
            address: addressRule.isOn ? StateKey("login-address", address) : nil
        )
        var waits: [Duration] = []
        for (key, rule) in [(attempt.identifier, identifierRule), (attempt.address, addressRule)] {
            guard let key else { continue }
            let counted = count(key, rule.window)
            if counted.attempts > rule.limit { waits.append(counted.remaining) }
        }
        if let longest = waits.max() {
            loginFinished(attempt, .notJudged)
            throw RateLimited(retryAfter: longest)
        }
        return attempt
    }

    func loginFinished(_ attempt: LoginAttempt, _ outcome: LoginOutcome) {
        switch outcome {
        case .refusedCredentials:
            return
        case .succeeded:
            if let key = attempt.identifier { reset(key) }
            if let key = attempt.address { refund(key) }
        case .notJudged:
            for key in [attempt.identifier, attempt.address].compactMap({ $0 }) { refund(key) }
        }
    }

    /// Counts a registration attempt, refusing it with `RATE_LIMITED` once the address has used up its share.
    func admitRegistration(address: String) throws(RateLimited) {
        let rule = configuration.registrationsPerAddress
        guard rule.isOn else { return }
        let key = StateKey("registration-address", address)
        let counted = count(key, rule.window)
        if counted.attempts > rule.limit {
            refund(key)
            throw RateLimited(retryAfter: counted.remaining)
        }
    }

    private func count(_ key: StateKey, _ window: Duration) -> AttemptCount {
        do {
            return try state.countAttempt(key, window: window)
        } catch {
            failed("count", error)
            return fallback.count(key, window: window)
        }
    }

    /// Given back here and in the fallback alike: an attempt may have been counted in either.
    private func refund(_ key: StateKey) {
        fallback.refund(key)
        do { try state.refundAttempt(key) } catch { failed("refund", error) }
    }

    private func reset(_ key: StateKey) {
        fallback.reset(key)
        do { try state.resetAttempts(key) } catch { failed("reset", error) }
    }
}

/// A refused attempt and how long the client must wait.
struct RateLimited: Error {
    let retryAfter: Duration

    /// Whole seconds, rounded up, at least 1: what `Retry-After` carries.
    var seconds: Int {
        let (whole, fraction) = retryAfter.components
        return max(1, Int(whole) + (fraction > 0 ? 1 : 0))
    }

    var graphQLError: GraphQLError {
        GraphQLError(
            message: "Too many attempts; try again in \(seconds) seconds",
            extensions: ["code": .string(SignInThrottle.rateLimitedCode), "retryAfter": .number(Number(seconds))]
        )
    }
}
