// SPDX-License-Identifier: Apache-2.0

/// What went wrong in a call to Kratos, in terms a GraphQL API can show. `description` never contains a token,
/// cookie or password.
public struct KratosError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// No valid session: missing, unknown, expired or revoked (401).
        case unauthenticated
        /// The session may not do this (403), or a logout token is unknown.
        case forbidden
        /// The input was refused; `messages` carries Kratos' ids and fields (400 with the flow).
        case invalidInput
        /// The session is too old for a privileged change; sign in again (403 `session_refresh_required`).
        case sessionRefreshRequired
        /// The session is AAL1 and a second factor is required (403 `session_aal2_required`).
        case secondFactorRequired
        /// A session exists and the flow needs none (`session_already_available`).
        case alreadyAuthenticated
        /// The flow expired before it was submitted (410).
        case flowExpired
        /// The thing asked for does not exist (404).
        case notFound
        /// It already exists (409).
        case conflict
        /// Kratos could not be reached in time, answered 5xx, or answered something unreadable.
        case unavailable
    }

    public var code: Code
    public var messages: [KratosMessage]
    /// Kratos' `error.id` or reason, or the transport failure: for logs.
    public var detail: String

    public init(_ code: Code, messages: [KratosMessage] = [], detail: String = "") {
        self.code = code
        self.messages = messages
        self.detail = detail
    }

    public var description: String {
        let ids = messages.map { String($0.id) }.joined(separator: ",")
        return "KratosError.\(code.rawValue)" + (ids.isEmpty ? "" : "[\(ids)]") + (detail.isEmpty ? "" : ": \(detail)")
    }
}
