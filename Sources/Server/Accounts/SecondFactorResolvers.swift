// SPDX-License-Identifier: Apache-2.0
import Foundation
import GraphQL
import GraphQLEngine
import Kratos
import SharedState

/// The account fields of the TOTP second factor, bound by name: `setupTotp`, `enableTotp`, `disableTotp`,
/// `loginSecondFactor`. The settings flow that shows a secret must take the device's first code: its id is kept
/// in the shared state under the identity, so that `enableTotp` may reach another instance than `setupTotp` did.
/// Codes are throttled as logins are.
enum SecondFactorResolvers {
    static let setupLifetime: Duration = .seconds(3_600)

    static func register(into registry: inout ResolverRegistry) {
        registry.bind("Mutation.setupTotp", optional: true) { _, _, context, _ in
            let (context, accounts, credential, session) = try await AccountResolvers.signedIn(context)
            let setup: KratosTotpSetup
            do {
                setup = try await accounts.kratos.totpSetup(credential)
            } catch let error as KratosError where error.code == .conflict {
                throw GraphQLError(
                    message: "A second factor is set up already: disable it first",
                    extensions: ["code": .string(ErrorCode.badUserInput)]
                )
            } catch let error as KratosError {
                throw accounts.report(error, requestID: context.requestID)
            }
            guard let identity = session.identity, let flow = SharedValue(uuid: setup.flowID) else {
                throw AccountErrors.graphQLError(KratosError(.unavailable, detail: "a settings flow without an identity or a UUID"))
            }
            try accounts.remember(flow, under: setupKey(identity.id), for: setupLifetime)
            let issuer = accounts.kratos.configuration.totpIssuer
            return [
                "secret": setup.secret,
                "url": "otpauth://totp/\(escaped(issuer)):\(escaped(identity.id))?algorithm=SHA1&digits=6&issuer=\(escaped(issuer))&period=30&secret=\(setup.secret)",
            ] as [String: any Sendable]
        }
        registry.bind("Mutation.enableTotp", optional: true) { _, arguments, context, _ in
            let (context, accounts, credential, session) = try await AccountResolvers.signedIn(context)
            guard let identity = session.identity else { throw AccountErrors.unauthenticated() }
            let flow = try accounts.recall(setupKey(identity.id))
            guard let flow else {
                throw GraphQLError(message: "Call setupTotp first", extensions: ["code": .string(ErrorCode.badUserInput)])
            }
            try await attempt(accounts, context, identifier: "totp:\(identity.id)") { () throws(KratosError) in
                try await accounts.kratos.enableTotp(credential, flow: flow.uuid, code: arguments["code"].string ?? "")
            }
            // The session is AAL2 now, and the identity has a second factor: cached answers are stale everywhere.
            accounts.sessions.evict(credential)
            accounts.invalidate(.identity(identity.id))
            return true
        }
        registry.bind("Mutation.disableTotp", optional: true) { _, _, context, _ in
            let (context, accounts, credential, session) = try await AccountResolvers.signedIn(context)
            try await AccountResolvers.call(accounts, context) { try await accounts.kratos.disableTotp(credential) }
            if let identity = session.identity { accounts.invalidate(.identity(identity.id)) }
            return true
        }
        registry.bind("Mutation.loginSecondFactor", optional: true) { _, arguments, context, _ in
            // The AAL1 session is not one whoami accepts: its token goes to the AAL2 login flow as it is.
            let context = try RequestContext.of(context)
            let accounts = try AccountResolvers.accountsOf(context)
            guard case .sessionToken(let token)? = context.credential else {
                throw GraphQLError(
                    message: "Send the session token login returned (X-Session-Token)",
                    extensions: ["code": .string(ErrorCode.unauthenticated)]
                )
            }
            let result = try await attempt(accounts, context, identifier: "second-factor:\(StateKey("session-token", token))") { () throws(KratosError) in
                try await accounts.kratos.loginSecondFactor(sessionToken: token, code: arguments["code"].string ?? "")
            }
            accounts.sessions.evict(.sessionToken(token))
            accounts.invalidate(.session(result.session.id))
            return AccountResolvers.loginResult(result)
        }
    }

    private static func setupKey(_ identityID: String) -> StateKey { StateKey("totp-setup-flow", identityID) }

    private static func escaped(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(["-", ".", "_", "~"])) ?? ""
    }

    /// A code submission, counted as a login attempt of `identifier` and the client address.
    @discardableResult
    private static func attempt<Result>(
        _ accounts: Accounts,
        _ context: RequestContext,
        identifier raw: String,
        _ body: () async throws(KratosError) -> Result
    ) async throws -> Result {
        guard let identifier = LoginIdentifier(raw) else { throw AccountErrors.unauthenticated() }
        let attempt = try AccountResolvers.throttled(context) { () throws(RateLimited) in
            try accounts.throttle.admitLogin(identifier: identifier, address: context.clientAddress)
        }
        do {
            let result = try await body()
            accounts.throttle.loginFinished(attempt, .succeeded)
            return result
        } catch {
            accounts.throttle.loginFinished(attempt, error.code == .invalidInput ? .refusedCredentials : .notJudged)
            throw accounts.report(error, requestID: context.requestID)
        }
    }
}
