// SPDX-License-Identifier: Apache-2.0
import GraphQL
import GraphQLHTTP
import Kratos
import Logging
import GraphQLEngine

/// The account fields of the default schema, bound by name: `me`, `sessions`, `registerUser`, `login`, `logout`,
/// `revokeSession`, `revokeOtherSessions`, `changePassword`. Each adapts to the return type the SDL declares, so the
/// seed tutorial's SDL (`me: String!`, `registerUser: String!`) works as well as the default one.
enum AccountResolvers {
    static func register(into registry: inout ResolverRegistry) {
        registry.bind("Query.me", optional: true) { _, _, context, info in
            let session = try await RequestContext.of(context).requireSession()
            return returnsString(info) ? session.identity?.email ?? "" : user(session)
        }
        registry.bind("Query.sessions", optional: true) { _, _, context, _ in
            let (context, accounts, credential, current) = try await signedIn(context)
            let others = try await call(accounts, context) { try await accounts.kratos.otherSessions(credential) }
            return [describe(current, current: true)] + others.map { describe($0, current: false) }
        }
        registry.bind("Mutation.registerUser", optional: true) { _, arguments, context, info in
            let context = try RequestContext.of(context)
            let accounts = try accountsOf(context)
            let email = try identifier(arguments["email"].string ?? "", argument: "email").trimmed
            let password = arguments["password"].string ?? ""
            try throttled(context) { () throws(RateLimited) in try accounts.throttle.admitRegistration(address: context.clientAddress) }
            let result = try await call(accounts, context) { try await accounts.kratos.register(email: email, password: password) }
            return returnsString(info) ? "User \(email) registered successfully" : loginResult(result)
        }
        registry.bind("Mutation.login", optional: true) { _, arguments, context, _ in
            let context = try RequestContext.of(context)
            let accounts = try accountsOf(context)
            let identifier = try identifier(arguments["identifier"].string ?? "", argument: "identifier")
            let password = arguments["password"].string ?? ""
            let address = context.clientAddress
            let attempt = try throttled(context) { () throws(RateLimited) in
                try accounts.throttle.admitLogin(identifier: identifier, address: address)
            }
            do {
                let result = try await accounts.kratos.login(identifier: identifier.trimmed, password: password)
                accounts.throttle.loginFinished(attempt, .succeeded)
                return loginResult(result)
            } catch let error as KratosError {
                accounts.throttle.loginFinished(attempt, error.code == .invalidInput ? .refusedCredentials : .notJudged)
                throw accounts.report(error, requestID: context.requestID)
            }
        }
        registry.bind("Mutation.logout", optional: true) { _, _, context, _ in
            let (context, accounts, credential, session) = try await signedIn(context)
            try await call(accounts, context) { try await accounts.kratos.logout(credential) }
            accounts.sessions.evict(credential)
            accounts.invalidate(.session(session.id))
            return true
        }
        registry.bind("Mutation.revokeSession", optional: true) { _, arguments, context, _ in
            let (context, accounts, credential, _) = try await signedIn(context)
            let id = arguments["id"].string ?? ""
            try await call(accounts, context) { try await accounts.kratos.revokeSession(id: id, credential) }
            accounts.invalidate(.session(id))
            return true
        }
        registry.bind("Mutation.revokeOtherSessions", optional: true) { _, _, context, _ in
            let (context, accounts, credential, session) = try await signedIn(context)
            let count = try await call(accounts, context) { try await accounts.kratos.revokeOtherSessions(credential) }
            // The other sessions' ids are not known here: every answer about the identity is checked again.
            if let identity = session.identity { accounts.invalidate(.identity(identity.id)) }
            return count
        }
        registry.bind("Mutation.changePassword", optional: true) { _, arguments, context, _ in
            let (context, accounts, credential, session) = try await signedIn(context)
            let password = arguments["password"].string ?? ""
            try await call(accounts, context) { try await accounts.kratos.changePassword(credential, to: password) }
            // Kratos may end the identity's other sessions on a new password (`revoke_active_sessions`).
            if let identity = session.identity { accounts.invalidate(.identity(identity.id)) }
            return true
        }
    }

    // MARK: - Helpers

    static func accountsOf(_ context: RequestContext) throws -> Accounts {
        guard let accounts = context.accounts else { throw AccountErrors.graphQLError(KratosError(.unavailable)) }
        return accounts
    }

    /// The context, the accounts, the credential and its active session; `UNAUTHENTICATED` without one.
    static func signedIn(_ context: any Sendable) async throws -> (RequestContext, Accounts, KratosCredential, KratosSession) {
        let context = try RequestContext.of(context)
        let session = try await context.requireSession()
        guard let credential = context.credential else { throw AccountErrors.unauthenticated() }
        return (context, try accountsOf(context), credential, session)
    }

    /// Runs a Kratos call, turning its failure into the GraphQL error the client sees (and logging what it does not).
    static func call<T>(
        _ accounts: Accounts,
        _ context: RequestContext,
        _ body: () async throws -> T
    ) async throws -> T {
        do {
            return try await body()
        } catch let error as KratosError {
            throw accounts.report(error, requestID: context.requestID)
        }
    }

    /// An identifier as Kratos will see it; `BAD_USER_INPUT` when it holds a control character.
    static func identifier(_ raw: String, argument: String) throws -> LoginIdentifier {
        guard let identifier = LoginIdentifier(raw) else {
            throw GraphQLError(
                message: "The \(argument) must not contain control characters",
                extensions: ["code": .string(ErrorCode.badUserInput), "field": .string(argument)]
            )
        }
        return identifier
    }

    /// Runs a throttle check; a refusal becomes `RATE_LIMITED` and asks the pipeline for a `Retry-After` header.
    static func throttled<T>(_ context: RequestContext, _ check: () throws(RateLimited) -> T) throws -> T {
        do {
            return try check()
        } catch {
            context.retryAfter.demand(error.seconds)
            context.accounts?.logger.notice(
                "attempt throttled",
                metadata: ["request_id": "\(context.requestID)", "client": "\(context.clientAddress)"]
            )
            throw error.graphQLError
        }
    }

    private static func returnsString(_ field: FieldInfo) -> Bool {
        getNamedType(type: field.returnType)?.name == "String"
    }

    /// A dictionary without the nil values, so that absent fields resolve to null.
    private static func object(_ fields: KeyValuePairs<String, (any Sendable)?>) -> [String: any Sendable] {
        var object: [String: any Sendable] = [:]
        for (key, value) in fields { if let value { object[key] = value } }
        return object
    }

    private static func user(_ session: KratosSession) -> UserValue { UserValue(session: session) }

    /// The schema's `User` for a session, each field read when the query asks for it: a `me { id email }` (the
    /// usual one) no longer builds the session and its devices (~5 µs a request at 20,000 a second).
    struct UserValue: KeySubscriptable, Sendable {
        let session: KratosSession

        subscript(name: String) -> (any Sendable)? {
            let identity = session.identity
            switch name {
            case "id": return identity?.id
            case "email": return identity?.email
            case "verified": return identity?.isVerified ?? false
            case "createdAt": return identity?.createdAt
            case "session": return AccountResolvers.describe(session, current: true)
            default: return nil
            }
        }
    }

    private static func describe(_ session: KratosSession, current: Bool) -> [String: any Sendable] {
        object([
            "id": session.id,
            "active": session.active ?? true,
            "authenticatedAt": session.authenticatedAt,
            "expiresAt": session.expiresAt,
            "current": current,
            "devices": (session.devices ?? []).map { device -> [String: any Sendable] in
                object(["ipAddress": device.ipAddress, "userAgent": device.userAgent, "location": device.location])
            },
        ])
    }

    static func loginResult(_ result: KratosAuthentication) -> [String: any Sendable] {
        // An account with a second factor signed in with its password alone: Kratos withholds the identity until
        // `loginSecondFactor` (the session is AAL1), so there is no user to show yet.
        let pending = result.session.identity == nil && result.session.authenticatorAssuranceLevel == "aal1"
        return object([
            "sessionToken": result.sessionToken,
            "identityEmail": result.session.identity?.email ?? "",
            "session": describe(result.session, current: true),
            "user": pending ? nil : user(result.session),
            "secondFactorRequired": pending,
        ])
    }
}
