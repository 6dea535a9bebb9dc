// SPDX-License-Identifier: Apache-2.0

/// What a settings flow offers for setting up TOTP: the flow (which must take the first code) and the secret.
public struct KratosTotpSetup: Sendable {
    /// The settings flow that holds the secret; the first code goes to it.
    public let flowID: String
    /// The base32 secret, for an authenticator app.
    public let secret: String
}

extension KratosClient {
    /// A settings flow offering a new TOTP device: its id and the secret Kratos shows in its `totp_secret_key` node.
    /// `.conflict` when the identity has TOTP already (the flow offers to unlink it instead).
    public func totpSetup(_ credential: KratosCredential) async throws(KratosError) -> KratosTotpSetup {
        let flow: SettingsNodesBody = try decode(try await send("GET", "/self-service/settings/api", credential: credential))
        guard let secret = flow.ui.nodes.lazy.compactMap({ $0.attributes.id == "totp_secret_key" ? $0.attributes.text?.context?.secret : nil }).first
        else { throw KratosError(.conflict, detail: "TOTP is set up already (or the method is off)") }
        return KratosTotpSetup(flowID: flow.id, secret: secret)
    }

    /// Enables the device of `flow` (from `totpSetup`) with a first `code`; the session becomes AAL2. A wrong code
    /// is `.invalidInput` (4000008).
    public func enableTotp(_ credential: KratosCredential, flow: String, code: String) async throws(KratosError) {
        let _: FlowBody = try decode(try await send(
            "POST", "/self-service/settings?flow=\(Self.flowParameter(flow))", credential: credential, body: TotpSubmission(totpCode: code)
        ))
    }

    /// Removes the identity's TOTP device (Kratos requires an AAL2, recent session).
    public func disableTotp(_ credential: KratosCredential) async throws(KratosError) {
        let flow: FlowBody = try decode(try await send("GET", "/self-service/settings/api", credential: credential))
        let _: FlowBody = try decode(try await send(
            "POST", "/self-service/settings?flow=\(Self.flowParameter(flow.id))", credential: credential, body: TotpUnlink()
        ))
    }

    /// The second step of a sign-in: the AAL2 login flow lifts the session of `sessionToken` with a TOTP `code`.
    /// A wrong code is `.invalidInput` (4000008).
    public func loginSecondFactor(sessionToken: String, code: String) async throws(KratosError) -> KratosAuthentication {
        let credential = KratosCredential.sessionToken(sessionToken)
        let flow: FlowBody = try decode(try await send("GET", "/self-service/login/api?aal=aal2", credential: credential))
        let login: LoginBody = try decode(try await send(
            "POST", "/self-service/login?flow=\(Self.flowParameter(flow.id))", credential: credential, body: TotpSubmission(totpCode: code)
        ))
        return KratosAuthentication(sessionToken: login.sessionToken ?? sessionToken, session: login.session)
    }
}

private struct TotpSubmission: Encodable {
    var method = "totp"
    var totpCode: String
}

private struct TotpUnlink: Encodable {
    var method = "totp"
    var totpUnlink = true
}

/// A settings flow's nodes, as far as the TOTP setup reads them.
private struct SettingsNodesBody: Decodable {
    var id: String
    var ui: UI

    struct UI: Decodable { var nodes: [Node] }
    struct Node: Decodable { var attributes: Attributes }
    struct Attributes: Decodable {
        var id: String?
        var text: Text?
    }
    struct Text: Decodable { var context: Context? }
    struct Context: Decodable { var secret: String? }
}
