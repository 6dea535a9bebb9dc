// SPDX-License-Identifier: Apache-2.0
import GraphQL
public import Kratos
import Logging
import Synchronization
import GraphQLEngine

/// What every resolver receives as its context: the request id, the session credential the request carried (if
/// any), and the way to turn that credential into a session.
public struct RequestContext: Sendable {
    /// The request's id, as the response's `X-Request-Id` and the log lines about it carry it.
    public let requestID: String
    /// The session token or cookie the request carried; nil when it carried none.
    public let credential: KratosCredential?
    /// Where the request came from, as nginx and any trusted proxy said; resolved only when a resolver asks.
    private let origin: ClientOrigin
    let accounts: Accounts?
    /// The session once found, so that an `@auth` field and its resolver (or several fields) look it up once per
    /// request, even with the session cache off.
    private let resolvedSession = ResolvedSession()
    /// Set by a resolver the throttle refused: the pipeline answers with a `Retry-After` header.
    let retryAfter = RetryAfter()
    /// The `@http` calls the request has made.
    let upstreamCalls = CallCount()

    /// A request's context; without `accounts` (or a credential), `requireSession()` always throws `UNAUTHENTICATED`.
    public init(requestID: String, credential: KratosCredential? = nil, origin: ClientOrigin = .init(), accounts: Accounts? = nil) {
        self.requestID = requestID
        self.credential = credential
        self.origin = origin
        self.accounts = accounts
    }

    /// Who is asking, as the brute-force throttle keys it (see `ClientAddress`).
    public var clientAddress: String {
        ClientAddress.resolve(remoteAddress: origin.remoteAddress, forwardedFor: origin.forwardedFor, trustedProxies: origin.trustedProxies)
    }

    /// The request's active session, or an `UNAUTHENTICATED` (or `AUTH_SERVICE_UNAVAILABLE`) GraphQL error.
    public func requireSession() async throws -> KratosSession {
        guard let credential, let accounts else { throw AccountErrors.unauthenticated() }
        if let session = resolvedSession.value.withLock({ $0 }) { return session }
        do {
            let session = try await accounts.session(for: credential)
            resolvedSession.value.withLock { $0 = session }
            return session
        } catch {
            throw accounts.report(error, requestID: requestID)
        }
    }

    /// The signed-in identity, once a resolver has looked the session up (for the access log).
    var identityID: String? { resolvedSession.value.withLock { $0?.identity?.id } }

    /// The context of a resolver call, or a masked internal error if the schema runs outside this server.
    public static func of(_ context: any Sendable) throws -> RequestContext {
        guard let context = context as? RequestContext else {
            throw GraphQLError(message: "Internal server error", extensions: ["code": .string(ErrorCode.internalServerError)])
        }
        return context
    }
}

extension Accounts {
    /// Logs what the client will not see (transport details) and returns the GraphQL error to throw.
    func report(_ error: KratosError, requestID: String) -> GraphQLError {
        if error.code == .unavailable || error.code == .flowExpired {
            logger.warning("Kratos call failed", metadata: ["request_id": "\(requestID)", "error": "\(error)"])
        }
        return AccountErrors.graphQLError(error)
    }
}

/// The raw inputs of `RequestContext.clientAddress`, kept unparsed: most requests never need them.
public struct ClientOrigin: Sendable {
    /// nginx's `REMOTE_ADDR`; nil when it passed none.
    public var remoteAddress: String?
    /// The `X-Forwarded-For` header, believed only when `remoteAddress` is a trusted proxy.
    public var forwardedFor: String?
    /// Proxies whose `X-Forwarded-For` is believed (`--trusted-proxy`).
    public var trustedProxies: [AddressRange]

    /// An origin; all unknown by default, which makes the client address empty.
    public init(remoteAddress: String? = nil, forwardedFor: String? = nil, trustedProxies: [AddressRange] = []) {
        self.remoteAddress = remoteAddress
        self.forwardedFor = forwardedFor
        self.trustedProxies = trustedProxies
    }
}

/// The longest wait any refused attempt of this request asked for, in seconds.
final class RetryAfter: Sendable {
    private let seconds = Mutex<Int?>(nil)

    func demand(_ value: Int) { seconds.withLock { $0 = max($0 ?? 0, value) } }

    var value: Int? { seconds.withLock { $0 } }
}

/// How many calls a request has made, counted to a bound.
final class CallCount: Sendable {
    private let count = Atomic<Int>(0)

    /// Counts one more call; false (and not counted) when `limit` are made already.
    func take(limit: Int) -> Bool {
        var current = count.load(ordering: .relaxed)
        while current < limit {
            let (exchanged, original) = count.compareExchange(expected: current, desired: current + 1, ordering: .relaxed)
            if exchanged { return true }
            current = original
        }
        return false
    }
}

/// The per-request memo of `RequestContext.requireSession()`.
private final class ResolvedSession: Sendable {
    let value = Mutex<KratosSession?>(nil)
}
