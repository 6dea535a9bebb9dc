// SPDX-License-Identifier: Apache-2.0
import Foundation

/// The self-service flows that prove an address by a code Kratos mails to it (the `code` method).
public enum KratosCodeFlow: String, Sendable {
    /// Recovery: a code earns a privileged session and a settings flow to set a new password in.
    case recovery
    /// Verification: a code marks the address verified.
    case verification
}

/// A message of Kratos' courier.
public struct KratosCourierMessage: Decodable, Sendable {
    public let id: String
    public let recipient: String
    public let subject: String
    public let body: String
    /// `recovery_code_valid`, `verification_code_valid`, …
    public let templateType: String
    /// `queued`, `sent`, `processing`, `abandoned`.
    public let status: String
}

/// What a recovery code earns: a session, and the settings flow Kratos opened for a new password.
public struct KratosRecovery: Sendable {
    /// The session token of the recovered account's new session.
    public let sessionToken: String
    /// The settings flow to set the new password in, with that session.
    public let settingsFlowID: String
}

extension KratosClient {
    /// Starts a `kind` flow and asks Kratos to mail a code to `email`; returns the flow's id, which the code
    /// belongs to. Kratos answers the same whether or not an account has the address (no enumeration).
    public func sendCode(_ kind: KratosCodeFlow, to email: String) async throws(KratosError) -> String {
        let flow: FlowBody = try decode(try await send("GET", "/self-service/\(kind.rawValue)/api"))
        let sent: FlowBody = try decode(try await send(
            "POST", "/self-service/\(kind.rawValue)?flow=\(Self.flowParameter(flow.id))", body: CodeSubmission(email: email, code: nil)
        ))
        guard sent.state == "sent_email" else { throw KratosError(.unavailable, detail: "\(kind) flow not in sent_email") }
        return flow.id
    }

    /// Submits a recovery `code` to `flow`. A wrong or expired code is `.invalidInput` with Kratos' message
    /// (4060006); a used one, or one past five submissions, `.invalidInput` with 4000001.
    public func submitRecoveryCode(flow: String, code: String) async throws(KratosError) -> KratosRecovery {
        let body = try await submitCode(.recovery, flow: flow, code: code)
        guard let token = body.continueWith?.first(where: { $0.action == "set_ory_session_token" })?.orySessionToken,
            let settings = body.continueWith?.first(where: { $0.action == "show_settings_ui" })?.flow?.id
        else {
            throw KratosError(.unavailable, detail: "recovery passed without a session token (feature_flags.use_continue_with_transitions?)")
        }
        return KratosRecovery(sessionToken: token, settingsFlowID: settings)
    }

    /// Submits a verification `code` to `flow`; a wrong or expired one is `.invalidInput` (4070006), a used one
    /// `.flowExpired` (Kratos replaced the flow).
    public func submitVerificationCode(flow: String, code: String) async throws(KratosError) {
        _ = try await submitCode(.verification, flow: flow, code: code)
    }

    /// Sets the password in the settings flow `flow` (the one a recovery opened) with `sessionToken`.
    public func setPassword(flow: String, sessionToken: String, to password: String) async throws(KratosError) {
        let _: FlowBody = try decode(try await send(
            "POST", "/self-service/settings?flow=\(Self.flowParameter(flow))", credential: .sessionToken(sessionToken),
            body: PasswordSubmission(password: password)
        ))
    }

    /// `GET /admin/courier/messages?recipient=`: the mail Kratos queued or sent to `recipient`, newest first (a
    /// real Kratos shows the bodies only under `kratos serve --dev`).
    public func courierMessages(recipient: String) async throws(KratosError) -> [KratosCourierMessage] {
        let query = recipient.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(["-", ".", "_"])) ?? ""
        return try decode(try await send("GET", "/admin/courier/messages?recipient=\(query)&page_size=100", admin: true))
    }

    private func submitCode(_ kind: KratosCodeFlow, flow: String, code: String) async throws(KratosError) -> CodeFlowBody {
        let body: CodeFlowBody = try decode(try await send(
            "POST", "/self-service/\(kind.rawValue)?flow=\(Self.flowParameter(flow))", body: CodeSubmission(email: nil, code: code)
        ))
        guard body.state == "passed_challenge" else {
            // Kratos answers a wrong code with the flow (200) and its message.
            let messages = (body.ui?.messages ?? []).filter { $0.type == "error" }.map { KratosMessage(id: $0.id, text: $0.text) }
            throw KratosError(.invalidInput, messages: messages, detail: "\(kind) code refused")
        }
        return body
    }

    /// A flow id as a query value: Kratos' ids are UUIDs; anything else is sent encoded (Kratos then refuses it).
    static func flowParameter(_ id: String) -> String {
        id.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(["-"])) ?? ""
    }
}

private struct CodeSubmission: Encodable {
    var method = "code"
    var email: String?
    var code: String?
}

private struct PasswordSubmission: Encodable {
    var method = "password"
    var password: String
}

/// A recovery or verification flow as Kratos answers a submission.
private struct CodeFlowBody: Decodable {
    var id: String
    var state: String?
    var ui: FlowBody.UI?
    var continueWith: [ContinueWith]?

    struct ContinueWith: Decodable {
        var action: String
        var orySessionToken: String?
        var flow: Flow?
    }

    struct Flow: Decodable {
        var id: String
    }
}
