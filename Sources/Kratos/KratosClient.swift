// SPDX-License-Identifier: Apache-2.0
import Foundation
public import HTTPClient

/// Kratos' public API for native apps (and the browser endpoints a cookie session needs), plus the admin identity
/// calls for operators. Every call has the configured total deadline; native flows never send `Cookie` or `Origin`.
public final class KratosClient: Sendable {
    public let configuration: KratosConfiguration
    private let http: HTTPClient
    /// Told of every finished call (route, duration, outcome), for metrics.
    private let observe: (@Sendable (KratosCall) -> Void)?

    public init(configuration: KratosConfiguration, http: HTTPClient, observe: (@Sendable (KratosCall) -> Void)? = nil) {
        self.configuration = configuration
        self.http = http
        self.observe = observe
    }

    // MARK: - Sign-up and sign-in

    /// The native login flow: `GET /self-service/login/api`, then `POST /self-service/login?flow=`.
    public func login(identifier: String, password: String) async throws(KratosError) -> KratosAuthentication {
        let flow: FlowBody = try decode(try await send("GET", "/self-service/login/api"))
        let response = try await send(
            "POST",
            "/self-service/login?flow=\(flow.id)",
            body: LoginSubmission(identifier: identifier, password: password)
        )
        let login: LoginBody = try decode(response)
        guard let token = login.sessionToken else { throw KratosError(.unavailable, detail: "login answered without a session token") }
        return KratosAuthentication(sessionToken: token, session: login.session)
    }

    /// The native registration flow. Kratos must run the `session` hook after password registration (as
    /// `kratos/kratos.yml` configures it); without it a login follows, so the caller always gets a session.
    public func register(email: String, password: String) async throws(KratosError) -> KratosAuthentication {
        let flow: FlowBody = try decode(try await send("GET", "/self-service/registration/api"))
        let response = try await send(
            "POST",
            "/self-service/registration?flow=\(flow.id)",
            body: RegistrationSubmission(password: password, traits: .init(email: email))
        )
        let registration: RegistrationBody = try decode(response)
        if let token = registration.sessionToken, let session = registration.session {
            return KratosAuthentication(sessionToken: token, session: session)
        }
        return try await login(identifier: email, password: password)
    }

    // MARK: - Sessions

    /// `GET /sessions/whoami`: the session the credential names.
    public func whoami(_ credential: KratosCredential) async throws(KratosError) -> KratosSession {
        try decode(try await send("GET", "/sessions/whoami", credential: credential))
    }

    /// Ends the session: `DELETE /self-service/logout/api` for a token; the browser logout for a cookie.
    public func logout(_ credential: KratosCredential) async throws(KratosError) {
        switch credential {
        case .sessionToken(let token):
            try expectNoContent(try await send("DELETE", "/self-service/logout/api", body: LogoutSubmission(sessionToken: token)))
        case .sessionCookie:
            let logout: BrowserLogoutBody = try decode(try await send("GET", "/self-service/logout/browser", credential: credential))
            let token = logout.logoutToken.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            try expectNoContent(try await send("GET", "/self-service/logout?token=\(token)", credential: credential))
        }
    }

    /// `GET /sessions`: the identity's other active sessions (the current one is not included).
    public func otherSessions(_ credential: KratosCredential) async throws(KratosError) -> [KratosSession] {
        try decode(try await send("GET", "/sessions?per_page=250", credential: credential))
    }

    /// `DELETE /sessions/{id}`. Revoking the current session is refused by Kratos (use `logout`).
    public func revokeSession(id: String, _ credential: KratosCredential) async throws(KratosError) {
        let encoded = id.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(["-"])) ?? ""
        try expectNoContent(try await send("DELETE", "/sessions/\(encoded)", credential: credential))
    }

    /// `DELETE /sessions`: revokes every other session of the identity; returns how many.
    public func revokeOtherSessions(_ credential: KratosCredential) async throws(KratosError) -> Int {
        let body: SessionCountBody = try decode(try await send("DELETE", "/sessions", credential: credential))
        return body.count
    }

    /// The settings flow with the password method. A session older than Kratos' `privileged_session_max_age`
    /// gets `.sessionRefreshRequired`.
    public func changePassword(_ credential: KratosCredential, to password: String) async throws(KratosError) {
        switch credential {
        case .sessionToken:
            let flow: FlowBody = try decode(try await send("GET", "/self-service/settings/api", credential: credential))
            let response = try await send(
                "POST",
                "/self-service/settings?flow=\(flow.id)",
                credential: credential,
                body: SettingsSubmission(password: password, csrfToken: nil)
            )
            let _: FlowBody = try decode(response)
        case .sessionCookie:
            // Browser flow: Kratos sets a CSRF cookie with the flow and expects it back with the token from the form.
            let initial = try await send("GET", "/self-service/settings/browser", credential: credential)
            let flow: BrowserFlowBody = try decode(initial)
            let csrfCookies = initial.headers.filter { $0.name == "set-cookie" }.compactMap { $0.value.split(separator: ";").first }
            var headers = credential.headers
            headers[0].value += csrfCookies.map { "; \($0)" }.joined()
            let response = try await send(
                "POST",
                "/self-service/settings?flow=\(flow.id)",
                headers: headers,
                body: SettingsSubmission(password: password, csrfToken: flow.csrfToken)
            )
            let _: FlowBody = try decode(response)
        }
    }

    /// `GET /health/ready` on the public API: whether Kratos answers and its database works.
    public func isReady() async -> Bool {
        guard let response = try? await send("GET", "/health/ready") else { return false }
        return response.status == 200
    }

    // MARK: - Admin identities (operators; loopback only)

    /// `GET /admin/identities`, optionally only the one whose identifier is `email`.
    public func identities(email: String? = nil) async throws(KratosError) -> [KratosIdentity] {
        let query = email.map { "?credentials_identifier=\($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" } ?? ""
        return try decode(try await send("GET", "/admin/identities\(query)", admin: true))
    }

    /// `GET /admin/identities/{id}`.
    public func identity(id: String) async throws(KratosError) -> KratosIdentity {
        try decode(try await send("GET", "/admin/identities/\(Self.pathSegment(id))", admin: true))
    }

    /// `DELETE /admin/identities/{id}`: the identity and its sessions.
    public func deleteIdentity(id: String) async throws(KratosError) {
        try expectNoContent(try await send("DELETE", "/admin/identities/\(Self.pathSegment(id))", admin: true))
    }

    // MARK: - Plumbing

    private static func pathSegment(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(["-"])) ?? ""
    }

    func send(
        _ method: String,
        _ path: String,
        credential: KratosCredential? = nil,
        headers extraHeaders: [(name: String, value: String)] = [],
        body: (any Encodable)? = nil,
        admin: Bool = false
    ) async throws(KratosError) -> HTTPClientResponse {
        if admin, !configuration.adminURLIsLoopback {
            throw KratosError(.forbidden, detail: "the Kratos admin URL is not a loopback address")
        }
        var headers: [(name: String, value: String)] = [("Accept", "application/json")]
        headers += credential?.headers ?? []
        headers += extraHeaders
        // Header values reach libcurl as they are: a CR, LF or other control character would forge headers.
        guard headers.allSatisfy({ $0.value.utf8.allSatisfy { $0 >= 0x20 && $0 != 0x7F } }) else {
            throw KratosError(.unauthenticated, detail: "a credential with control characters")
        }
        var bytes: [UInt8]?
        if let body {
            headers.append(("Content-Type", "application/json"))
            bytes = try? Array(Self.encoder.encode(body))
        }
        let base = admin ? configuration.adminURL : configuration.publicURL
        let request = HTTPClientRequest(
            method: method,
            url: base.trimmingSuffix("/") + path,
            headers: headers,
            body: bytes,
            timeout: configuration.requestTimeout
        )
        let response: HTTPClientResponse
        let started = ContinuousClock.now
        do {
            response = try await http.execute(request)
        } catch {
            observe?(KratosCall(method: method, path: path, duration: ContinuousClock.now - started, status: nil))
            let detail = (error as? HTTPClientError)?.description ?? "\(type(of: error))"
            throw KratosError(.unavailable, detail: detail)
        }
        observe?(KratosCall(method: method, path: path, duration: ContinuousClock.now - started, status: response.status))
        guard (200..<300).contains(response.status) else { throw failure(response) }
        return response
    }

    func decode<T: Decodable>(_ response: HTTPClientResponse) throws(KratosError) -> T {
        do {
            return try Self.decoder.decode(T.self, from: Data(response.body))
        } catch {
            throw KratosError(.unavailable, detail: "unreadable \(T.self) from Kratos (status \(response.status))")
        }
    }

    private func expectNoContent(_ response: HTTPClientResponse) throws(KratosError) {
        guard response.status == 204 || response.status == 200 else {
            throw KratosError(.unavailable, detail: "unexpected status \(response.status)")
        }
    }

    /// Turns a non-2xx answer into a `KratosError`: a 400 with a flow carries ui messages; the rest use herodot's
    /// error envelope.
    private func failure(_ response: HTTPClientResponse) -> KratosError {
        let data = Data(response.body)
        if response.status >= 500 {
            return KratosError(.unavailable, detail: "Kratos answered \(response.status)")
        }
        if response.status == 400, let flow = try? Self.decoder.decode(FlowBody.self, from: data), flow.ui != nil {
            return KratosError(.invalidInput, messages: flow.errorMessages, detail: "flow \(flow.id)")
        }
        let envelope = try? Self.decoder.decode(ErrorEnvelope.self, from: data)
        let id = envelope?.error.id
        let detail = [id, envelope?.error.reason ?? envelope?.error.message].compactMap { $0 }.joined(separator: ": ")
        switch (response.status, id) {
        case (_, "session_refresh_required"): return KratosError(.sessionRefreshRequired, detail: detail)
        case (_, "session_aal2_required"): return KratosError(.secondFactorRequired, detail: detail)
        case (_, "session_already_available"): return KratosError(.alreadyAuthenticated, detail: detail)
        case (401, _): return KratosError(.unauthenticated, detail: detail)
        case (403, _): return KratosError(.forbidden, detail: detail)
        case (404, _): return KratosError(.notFound, detail: detail)
        case (409, _): return KratosError(.conflict, detail: detail)
        case (410, _): return KratosError(.flowExpired, detail: detail)
        case (400, _):
            let text = envelope?.error.reason ?? envelope?.error.message ?? "The request was refused"
            return KratosError(.invalidInput, messages: [KratosMessage(id: 4000001, text: text)], detail: detail)
        default:
            return KratosError(.unavailable, detail: "unexpected status \(response.status) \(detail)")
        }
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }()
}

// Request bodies.

private struct LoginSubmission: Encodable {
    var method = "password"
    var identifier: String
    var password: String
}

private struct RegistrationSubmission: Encodable {
    var method = "password"
    var password: String
    var traits: Traits

    struct Traits: Encodable {
        var email: String
    }
}

private struct SettingsSubmission: Encodable {
    var method = "password"
    var password: String
    var csrfToken: String?
}

private struct LogoutSubmission: Encodable {
    var sessionToken: String
}

/// A browser flow's id and the CSRF token its form carries.
private struct BrowserFlowBody: Decodable {
    var id: String
    var ui: UI

    struct UI: Decodable {
        var nodes: [Node]
    }

    struct Node: Decodable {
        var attributes: Attributes
    }

    struct Attributes: Decodable {
        var name: String?
        var value: JSONScalar?
    }

    var csrfToken: String? {
        for node in ui.nodes where node.attributes.name == "csrf_token" {
            if case .string(let value)? = node.attributes.value { return value }
        }
        return nil
    }
}

/// A node value: Kratos uses strings, numbers and booleans.
private enum JSONScalar: Decodable {
    case string(String)
    case other

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        self = (try? container.decode(String.self)).map { .string($0) } ?? .other
    }
}

extension String {
    fileprivate func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
