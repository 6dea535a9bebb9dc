// SPDX-License-Identifier: Apache-2.0
import Foundation

/// Where Kratos is and how long to wait for it.
public struct KratosConfiguration: Sendable {
    /// The public API (self-service flows, whoami). Default `http://127.0.0.1:4433`.
    public var publicURL: String = "http://127.0.0.1:4433"
    /// The admin API, for operators' identity calls. Default `http://127.0.0.1:4434`. Must be a loopback address:
    /// the admin API has no authentication of its own.
    public var adminURL: String = "http://127.0.0.1:4434"
    /// Total deadline of one call to Kratos, connection included. Default 3 s (below nginx's 30 s read timeout,
    /// even for the two calls a login makes).
    public var requestTimeout: Duration = .seconds(3)
    /// The issuer an authenticator app shows for a TOTP device: Kratos' `selfservice.methods.totp.config.issuer`
    /// (kratos/kratos.yml sets `graphql-fcgi`); graphql-fcgi writes it into the `otpauth://` URL it hands out.
    public var totpIssuer: String = "graphql-fcgi"

    public init() {}

    /// Whether `adminURL` names a loopback host.
    public var adminURLIsLoopback: Bool {
        guard let host = Self.host(of: adminURL) else { return false }
        return host == "localhost" || host == "[::1]" || host.hasPrefix("127.")
    }

    static func host(of url: String) -> String? {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        let rest = url[schemeEnd.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" }
        let hostAndPort = authority.split(separator: "@").last.map(String.init) ?? ""
        if hostAndPort.hasPrefix("[") { return hostAndPort.prefix { $0 != "]" } + "]" }
        return hostAndPort.split(separator: ":").first.map(String.init)
    }
}

/// How a request proves its session.
public enum KratosCredential: Sendable, Hashable {
    /// A session token (`X-Session-Token` or `Authorization: Bearer`), as native login returns it.
    case sessionToken(String)
    /// The value of Kratos' `ory_kratos_session` cookie, set by a browser flow. It is an encrypted envelope, not
    /// the token; it is forwarded to Kratos as a cookie.
    case sessionCookie(String)

    public static let cookieName = "ory_kratos_session"

    /// The headers that present this credential to Kratos' public API.
    var headers: [(name: String, value: String)] {
        switch self {
        case .sessionToken(let token): return [("X-Session-Token", token)]
        case .sessionCookie(let value): return [("Cookie", "\(Self.cookieName)=\(value)")]
        }
    }
}
