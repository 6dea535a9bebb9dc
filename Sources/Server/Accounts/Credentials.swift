// SPDX-License-Identifier: Apache-2.0
import Kratos

/// Finds the session credential of a request, in Kratos' own order: `X-Session-Token`, the `ory_kratos_session`
/// cookie, then `Authorization: Bearer`.
enum Credentials {
    /// The credential among the request's CGI parameters, looked up by name.
    static func from(_ parameter: (String) -> String?) -> KratosCredential? {
        if let token = parameter("HTTP_X_SESSION_TOKEN")?.trimmed, !token.isEmpty {
            return .sessionToken(token)
        }
        if let cookie = parameter("HTTP_COOKIE").flatMap(sessionCookie) {
            return .sessionCookie(cookie)
        }
        if let authorization = parameter("HTTP_AUTHORIZATION") {
            let parts = authorization.split(separator: " ", omittingEmptySubsequences: true)
            if parts.count == 2, parts[0].lowercased() == "bearer" { return .sessionToken(String(parts[1])) }
        }
        return nil
    }

    /// The value of `ory_kratos_session` in a `Cookie` header.
    static func sessionCookie(in header: String) -> String? {
        for pair in header.split(separator: ";") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, parts[0].trimmed == KratosCredential.cookieName else { continue }
            let value = parts[1].trimmed
            return value.isEmpty ? nil : value
        }
        return nil
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs. On UTF-8 code units: the generic Character-based version
    /// (reversed collections) showed up at 15% of a signed-in request's CPU in a profile.
    fileprivate var trimmed: String {
        let string = String(self)
        let bytes = string.utf8
        guard let first = bytes.firstIndex(where: { $0 != 0x20 && $0 != 0x09 }),
            let last = bytes.lastIndex(where: { $0 != 0x20 && $0 != 0x09 })
        else { return "" }
        return String(string[first...last])
    }
}
