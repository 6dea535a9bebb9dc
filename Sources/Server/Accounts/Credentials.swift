// SPDX-License-Identifier: Apache-2.0
import Kratos

/// Finds the session credential of a request, in Kratos' own order: `X-Session-Token`, the `ory_kratos_session`
/// cookie, then `Authorization: Bearer`.
///
/// A credential is passed on to Kratos only when it is well formed: at most `maxLength` bytes of visible ASCII
/// (Kratos' tokens are alphanumeric, its cookie a base64 value). One with a control character, a space or a
/// non-ASCII byte is treated as no credential at all — the request is `UNAUTHENTICATED` where a session is needed —
/// and never reaches a header of a call to Kratos.
enum Credentials {
    static let maxLength = 4_096

    /// The credential among the request's CGI parameters, looked up by name.
    static func from(_ parameter: (String) -> String?) -> KratosCredential? {
        if let token = parameter("HTTP_X_SESSION_TOKEN")?.trimmed, !token.isEmpty {
            return isWellFormed(token) ? .sessionToken(token) : nil
        }
        if let cookie = parameter("HTTP_COOKIE").flatMap(sessionCookie) {
            return isWellFormed(cookie) ? .sessionCookie(cookie) : nil
        }
        if let authorization = parameter("HTTP_AUTHORIZATION") {
            let parts = authorization.split(separator: " ", omittingEmptySubsequences: true)
            if parts.count == 2, parts[0].lowercased() == "bearer", isWellFormed(parts[1]) { return .sessionToken(String(parts[1])) }
        }
        return nil
    }

    static func isWellFormed(_ value: some StringProtocol) -> Bool {
        value.utf8.count <= maxLength && value.utf8.allSatisfy { (0x21...0x7E).contains($0) }
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
