// SPDX-License-Identifier: Apache-2.0
import GraphQLEngine

/// A request refused before any GraphQL work: the HTTP status, an `extensions.code`, and a message safe to show.
public struct RequestError: Error, Equatable, Sendable {
    public var status: Int
    public var code: String
    public var message: String
    public var headers: [String: String]
    /// A parameter of the wrong type or shape (the 2026 draft answers 422 for these; the audit suite 400).
    public var isInvalidParameter: Bool

    public init(status: Int, code: String, message: String, headers: [String: String] = [:], isInvalidParameter: Bool = false) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
        self.isInvalidParameter = isInvalidParameter
    }

    static func badRequest(_ message: String) -> RequestError {
        RequestError(status: 400, code: ErrorCode.badRequest, message: message)
    }

    static func invalidParameter(_ message: String) -> RequestError {
        RequestError(status: 400, code: ErrorCode.badRequest, message: message, isInvalidParameter: true)
    }
}
