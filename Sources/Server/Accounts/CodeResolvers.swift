// SPDX-License-Identifier: Apache-2.0
import GraphQL
import GraphQLEngine
import Kratos
import SharedState

/// The account fields that prove an address by a code Kratos mails to it, bound by name like the other account
/// fields: `requestRecoveryCode`, `recoverAccount`, `requestVerificationCode`, `verifyEmail`.
///
/// A code belongs to the Kratos flow that sent it; the flow's id is kept in the shared state under the address
/// (hashed), so that any instance on any host finishes what another started. Asking for a code always answers
/// true — an address without an account gets no mail and the same answer (no enumeration). Code submissions are
/// throttled as logins are (per address and per client); asking for codes as registrations are (per client).
enum CodeResolvers {
    /// How long a flow's id is kept: Kratos' own flow lifespan for recovery and verification (kratos.yml: 1h).
    static let flowLifetime: Duration = .seconds(3_600)

    static func register(into registry: inout ResolverRegistry) {
        registry.bind("Mutation.requestRecoveryCode", optional: true) { _, arguments, context, _ in
            try await requestCode(.recovery, arguments, context)
        }
        registry.bind("Mutation.requestVerificationCode", optional: true) { _, arguments, context, _ in
            try await requestCode(.verification, arguments, context)
        }
        registry.bind("Mutation.recoverAccount", optional: true) { _, arguments, context, _ in
            let (context, accounts, email) = try prepare(arguments, context)
            let password = arguments["newPassword"].string ?? ""
            let recovery = try await submit(.recovery, email: email, code: arguments["code"].string ?? "", context, accounts) { flow, code throws(KratosError) in
                try await accounts.kratos.submitRecoveryCode(flow: flow, code: code)
            }
            // An account with a second factor: Kratos' settings flow wants an AAL2 session, so the recovery session
            // is lifted with the app's code first (`totpCode`).
            if let totpCode = arguments["totpCode"].string {
                _ = try await AccountResolvers.call(accounts, context) {
                    try await accounts.kratos.loginSecondFactor(sessionToken: recovery.sessionToken, code: totpCode)
                }
            }
            try await AccountResolvers.call(accounts, context) {
                try await accounts.kratos.setPassword(flow: recovery.settingsFlowID, sessionToken: recovery.sessionToken, to: password)
            }
            let session = try await AccountResolvers.call(accounts, context) { try await accounts.kratos.whoami(.sessionToken(recovery.sessionToken)) }
            // A new password may end the identity's other sessions (`revoke_active_sessions`): no cached answer stays.
            if let identity = session.identity { accounts.invalidate(.identity(identity.id)) }
            return AccountResolvers.loginResult(KratosAuthentication(sessionToken: recovery.sessionToken, session: session))
        }
        registry.bind("Mutation.verifyEmail", optional: true) { _, arguments, context, _ in
            let (context, accounts, email) = try prepare(arguments, context)
            try await submit(.verification, email: email, code: arguments["code"].string ?? "", context, accounts) { flow, code throws(KratosError) in
                try await accounts.kratos.submitVerificationCode(flow: flow, code: code)
            }
            // Cached answers about the identity's sessions say `verified: false`: every instance asks again.
            if let identity = try? await accounts.kratos.identities(email: email).first {
                accounts.invalidate(.identity(identity.id))
            }
            return true
        }
    }

    private static func prepare(_ arguments: Map, _ context: any Sendable) throws -> (RequestContext, Accounts, String) {
        let context = try RequestContext.of(context)
        let accounts = try AccountResolvers.accountsOf(context)
        let email = try AccountResolvers.identifier(arguments["email"].string ?? "", argument: "email").trimmed.lowercased()
        return (context, accounts, email)
    }

    private static func flowKey(_ kind: KratosCodeFlow, _ email: String) -> StateKey {
        StateKey("\(kind.rawValue)-flow", email)
    }

    private static func requestCode(_ kind: KratosCodeFlow, _ arguments: Map, _ context: any Sendable) async throws -> Bool {
        let (context, accounts, email) = try prepare(arguments, context)
        try AccountResolvers.throttled(context) { () throws(RateLimited) in try accounts.throttle.admitRegistration(address: context.clientAddress) }
        let flow = try await AccountResolvers.call(accounts, context) { try await accounts.kratos.sendCode(kind, to: email) }
        guard let value = SharedValue(uuid: flow) else {
            throw AccountErrors.graphQLError(KratosError(.unavailable, detail: "a flow id that is not a UUID"))
        }
        try accounts.remember(value, under: flowKey(kind, email), for: flowLifetime)
        return true
    }

    /// Submits `code` to the flow kept for `email`, counting it as a login attempt of that address.
    @discardableResult
    private static func submit<Result>(
        _ kind: KratosCodeFlow,
        email: String,
        code: String,
        _ context: RequestContext,
        _ accounts: Accounts,
        _ body: (String, String) async throws(KratosError) -> Result
    ) async throws -> Result {
        guard let identifier = LoginIdentifier("\(kind.rawValue)-code:\(email)") else { throw invalidCode() }
        let attempt = try AccountResolvers.throttled(context) { () throws(RateLimited) in
            try accounts.throttle.admitLogin(identifier: identifier, address: context.clientAddress)
        }
        let kept: SharedValue?
        do {
            kept = try accounts.recall(flowKey(kind, email))
        } catch {
            accounts.throttle.loginFinished(attempt, .notJudged)
            throw error
        }
        guard let flow = kept?.uuid else {
            accounts.throttle.loginFinished(attempt, .refusedCredentials)
            throw invalidCode()
        }
        do {
            let result = try await body(flow, code)
            accounts.throttle.loginFinished(attempt, .succeeded)
            return result
        } catch {
            switch (error.code, kind) {
            case (.invalidInput, _) where error.messages.contains(where: { $0.id == 4060006 || $0.id == 4070006 }),
                (.flowExpired, .recovery):
                accounts.throttle.loginFinished(attempt, .refusedCredentials)
                throw invalidCode()
            case (.invalidInput, _), (.flowExpired, .verification):
                // Kratos refused the flow itself: the code was used, or tried too often.
                accounts.throttle.loginFinished(attempt, .refusedCredentials)
                throw GraphQLError(
                    message: "This code was used already, or tried too often: request a new one",
                    extensions: ["code": .string(ErrorCode.codeUsed)]
                )
            default:
                accounts.throttle.loginFinished(attempt, .notJudged)
                throw accounts.report(error, requestID: context.requestID)
            }
        }
    }

    private static func invalidCode() -> GraphQLError {
        GraphQLError(
            message: "The code is wrong or has expired: check it, or request a new one",
            extensions: ["code": .string(ErrorCode.codeInvalid)]
        )
    }
}
