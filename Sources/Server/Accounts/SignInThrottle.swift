// SPDX-License-Identifier: Apache-2.0
import Foundation
import GraphQL

/// Brute-force protection for the account mutations, which Kratos does not have: failed `login`s are limited per
/// identifier and per client address, `registerUser` calls per client address. A refused attempt never reaches
/// Kratos and answers `RATE_LIMITED` with `extensions.retryAfter` (seconds) and a `Retry-After` header.
public final class SignInThrottle: Sendable {
    public struct Configuration: Sendable, Equatable {
        /// Failed logins of one identifier. Default 10 per 15 minutes; a successful login clears them.
        public var loginFailuresPerIdentifier = AttemptThrottle.Rule(limit: 10, window: .seconds(15 * 60))
        /// Failed logins from one client address (any identifier). Default 50 per 15 minutes.
        public var loginFailuresPerAddress = AttemptThrottle.Rule(limit: 50, window: .seconds(15 * 60))
        /// `registerUser` calls from one client address. Default 10 per hour.
        public var registrationsPerAddress = AttemptThrottle.Rule(limit: 10, window: .seconds(60 * 60))
        /// Keys each counter keeps at most. Default 100,000 (a few MB).
        public var maxKeys = 100_000

        public init() {}
    }

    public static let rateLimitedCode = "RATE_LIMITED"

    private let identifiers: AttemptThrottle
    private let addresses: AttemptThrottle
    private let registrations: AttemptThrottle

    public init(configuration: Configuration = .init()) {
        identifiers = AttemptThrottle(rule: configuration.loginFailuresPerIdentifier, maxKeys: configuration.maxKeys)
        addresses = AttemptThrottle(rule: configuration.loginFailuresPerAddress, maxKeys: configuration.maxKeys)
        registrations = AttemptThrottle(rule: configuration.registrationsPerAddress, maxKeys: configuration.maxKeys)
    }

    /// Throws `RATE_LIMITED` when either the identifier or the address has used up its failures.
    func checkLogin(identifier: String, address: String) throws(RateLimited) {
        let waits = [identifiers.retryAfter(Self.normalized(identifier)), addresses.retryAfter(address)].compactMap { $0 }
        if let longest = waits.max() { throw RateLimited(retryAfter: longest) }
    }

    /// Counts a login Kratos refused for its credentials.
    func loginFailed(identifier: String, address: String) {
        identifiers.record(Self.normalized(identifier))
        addresses.record(address)
    }

    func loginSucceeded(identifier: String) {
        identifiers.reset(Self.normalized(identifier))
    }

    /// Counts a registration attempt, refusing it with `RATE_LIMITED` once the address has used up its share.
    func admitRegistration(address: String) throws(RateLimited) {
        if let wait = registrations.retryAfter(address) { throw RateLimited(retryAfter: wait) }
        registrations.record(address)
    }

    /// Kratos compares identifiers (email addresses) case-insensitively; so must the counter.
    private static func normalized(_ identifier: String) -> String {
        identifier.trimmingCharacters(in: .whitespaces).lowercased()
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
