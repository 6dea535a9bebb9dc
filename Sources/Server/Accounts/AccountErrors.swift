// SPDX-License-Identifier: Apache-2.0
public import GraphQL
import Kratos
import OrderedCollections
import GraphQLEngine

/// The GraphQL errors account resolvers throw, each with its `extensions.code`.
public enum AccountErrors {
    /// `extensions.code` of `unauthenticated()`.
    public static let unauthenticatedCode = ErrorCode.unauthenticated

    /// "A valid session is required": what a field that needs a signed-in caller throws without one.
    public static func unauthenticated() -> GraphQLError {
        GraphQLError(message: "A valid session is required", extensions: ["code": .string(unauthenticatedCode)])
    }

    /// What an `@auth(aal: AAL2)` field throws for a session signed in without the second factor.
    public static func secondFactorRequired() -> GraphQLError {
        GraphQLError(
            message: "This needs the second factor: complete the sign-in with loginSecondFactor",
            extensions: ["code": .string(ErrorCode.secondFactorRequired)]
        )
    }

    /// Turns a Kratos failure into what the client sees. Kratos' message ids and fields are kept for the input
    /// errors (an app can translate 4000006 or 4000032 itself); transport details only go to the log.
    static func graphQLError(_ error: KratosError) -> GraphQLError {
        switch error.code {
        case .unauthenticated:
            return unauthenticated()
        case .forbidden, .alreadyAuthenticated:
            return GraphQLError(message: "This is not allowed for this session", extensions: ["code": .string(ErrorCode.forbidden)])
        case .invalidInput, .conflict:
            let messages = error.messages.isEmpty ? [KratosMessage(id: 4000001, text: "The input was refused")] : error.messages
            let details: [Map] = messages.map { message in
                var entry: OrderedDictionary<String, Map> = ["id": .number(Number(message.id)), "text": .string(message.text)]
                entry["field"] = message.field.map { .string($0) } ?? .null
                return .dictionary(entry)
            }
            return GraphQLError(
                message: messages[0].text,
                extensions: ["code": .string(ErrorCode.badUserInput), "kratos": .array(details)]
            )
        case .secondFactorRequired:
            return secondFactorRequired()
        case .sessionRefreshRequired:
            return GraphQLError(
                message: "This change needs a recent sign-in: log in again, then retry",
                extensions: ["code": .string(ErrorCode.sessionRefreshRequired)]
            )
        case .notFound:
            return GraphQLError(message: "Not found", extensions: ["code": .string(ErrorCode.notFound)])
        case .flowExpired, .unavailable:
            return GraphQLError(
                message: "The authentication service is unavailable; try again shortly",
                extensions: ["code": .string(ErrorCode.authServiceUnavailable)]
            )
        }
    }
}
