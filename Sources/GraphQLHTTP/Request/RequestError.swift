// SPDX-License-Identifier: Apache-2.0
import GraphQLEngine

/// A request refused before any GraphQL work: the HTTP status, an `extensions.code`, and a message safe to show.
public struct RequestError: Error, Equatable, Sendable {
    /// The HTTP status to answer with, e.g. 400, 405 or 413.
    public var status: Int
    /// The `extensions.code`, from `ErrorCode`.
    public var code: String
    /// The error message, safe to show to the client.
    public var message: String
    /// Headers to add to the response, e.g. `Allow` on a 405.
    public var headers: [String: String]
    /// A parameter of the wrong type or shape (the 2026 draft answers 422 for these; the audit suite 400).
    public var isInvalidParameter: Bool

    /// A request error; by default without extra headers, and not an invalid parameter.
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
