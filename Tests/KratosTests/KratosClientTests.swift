import Foundation
import HTTPClient
import Testing
import TestSupport

@testable import Kratos

@Suite(.serialized) struct KratosClientTests {
    /// One emulator per suite: suites run in parallel, and this one's fault switches must not reach the other.
    static let sharedEmulator = try! KratosEmulatorProcess()
    let emulator: KratosEmulatorProcess
    let kratos: KratosClient

    init() throws {
        emulator = Self.sharedEmulator
        var configuration = KratosConfiguration()
        configuration.publicURL = emulator.publicURL
        configuration.adminURL = emulator.adminURL
        configuration.requestTimeout = .seconds(1)
        kratos = KratosClient(configuration: configuration, http: HTTPClient())
    }

    func newEmail() -> String { "kratos-\(UInt32.random(in: 0...UInt32.max))@example.com" }

    @Test func registersLogsInAndChecksTheSession() async throws {
        let email = newEmail()
        let registered = try await kratos.register(email: email, password: "a-fine-long-passphrase")
        #expect(registered.sessionToken.hasPrefix("ory_st_"))
        let login = try await kratos.login(identifier: email, password: "a-fine-long-passphrase")
        let session = try await kratos.whoami(.sessionToken(login.sessionToken))
        #expect(session.identity?.email == email)
        #expect(session.expiryDate.map { $0 > Date() } == true)
        let others = try await kratos.otherSessions(.sessionToken(login.sessionToken))
        #expect(others.map(\.id) == [registered.session.id])
        try await kratos.logout(.sessionToken(login.sessionToken))
        await #expect(throws: KratosError(.unauthenticated, detail: "No valid session credentials found in the request.")) {
            _ = try await kratos.whoami(.sessionToken(login.sessionToken))
        }
    }

    /// The six-digit code of the newest `template` mail to `email`.
    func code(_ template: String, to email: String) async throws -> String {
        let message = try #require(try await kratos.courierMessages(recipient: email).first { $0.templateType == template })
        let line = message.body.split(separator: "\n").first { $0.count == 6 && $0.allSatisfy(\.isNumber) }
        return String(try #require(line))
    }

    @Test func recoversAnAccountByCodeAndSetsANewPassword() async throws {
        let email = newEmail()
        _ = try await kratos.register(email: email, password: "a-fine-long-passphrase")
        let flow = try await kratos.sendCode(.recovery, to: email)
        await #expect { _ = try await kratos.submitRecoveryCode(flow: flow, code: "12345x") } throws: {
            ($0 as? KratosError)?.messages.map(\.id) == [4060006]
        }
        let recovery = try await kratos.submitRecoveryCode(flow: flow, code: try await code("recovery_code_valid", to: email))
        try await kratos.setPassword(flow: recovery.settingsFlowID, sessionToken: recovery.sessionToken, to: "another-long-passphrase")
        _ = try await kratos.login(identifier: email, password: "another-long-passphrase")
        // An address without an account gets the same answer, and no mail.
        _ = try await kratos.sendCode(.recovery, to: newEmail())
    }

    @Test func verifiesAnAddressByCode() async throws {
        let email = newEmail()
        _ = try await kratos.register(email: email, password: "a-fine-long-passphrase")
        let flow = try await kratos.sendCode(.verification, to: email)
        try await kratos.submitVerificationCode(flow: flow, code: try await code("verification_code_valid", to: email))
        let identity = try #require(try await kratos.identities(email: email).first)
        #expect(identity.isVerified)
    }

    @Test func setsUpTOTPAndSignsInWithTheSecondFactor() async throws {
        let email = newEmail()
        let registered = try await kratos.register(email: email, password: "a-fine-long-passphrase")
        let credential = KratosCredential.sessionToken(registered.sessionToken)
        let setup = try await kratos.totpSetup(credential)
        await #expect { try await kratos.enableTotp(credential, flow: setup.flowID, code: "12345x") } throws: {
            ($0 as? KratosError)?.messages.map(\.id) == [4000008]
        }
        try await kratos.enableTotp(credential, flow: setup.flowID, code: TOTPCode.now(secret: setup.secret))
        await #expect(throws: KratosError.self) { _ = try await kratos.totpSetup(credential) }  // set up already

        let password = try await kratos.login(identifier: email, password: "a-fine-long-passphrase")
        #expect(password.session.authenticatorAssuranceLevel == "aal1" && password.session.identity == nil)
        await #expect { _ = try await kratos.whoami(.sessionToken(password.sessionToken)) } throws: {
            ($0 as? KratosError)?.code == .secondFactorRequired
        }
        let lifted = try await kratos.loginSecondFactor(sessionToken: password.sessionToken, code: TOTPCode.now(secret: setup.secret))
        #expect(lifted.session.authenticatorAssuranceLevel == "aal2" && lifted.session.identity?.email == email)
        try await kratos.disableTotp(.sessionToken(lifted.sessionToken))
        #expect(try await kratos.login(identifier: email, password: "a-fine-long-passphrase").session.identity?.email == email)
    }

    @Test func mapsFlowErrorsToMessagesWithFields() async throws {
        let email = newEmail()
        _ = try await kratos.register(email: email, password: "a-fine-long-passphrase")
        await #expect { _ = try await kratos.register(email: email, password: "a-fine-long-passphrase") } throws: {
            ($0 as? KratosError)?.messages.map(\.id) == [4000007]
        }
        await #expect { _ = try await kratos.register(email: newEmail(), password: "short") } throws: {
            ($0 as? KratosError)?.messages == [KratosMessage(id: 4000032, text: "The password must be at least 8 characters long, but got 5.", field: "password")]
        }
        await #expect { _ = try await kratos.login(identifier: email, password: "wrong-passphrase") } throws: {
            let error = $0 as? KratosError
            return error?.code == .invalidInput && error?.messages.map(\.id) == [4000006]
        }
    }

    @Test func anUnreachableKratosIsUnavailable() async throws {
        try emulator.setFaults(#"{"refuse": true}"#)
        defer { try? emulator.setFaults("") }
        await #expect { _ = try await kratos.whoami(.sessionToken("ory_st_x")) } throws: { ($0 as? KratosError)?.code == .unavailable }
    }

    @Test func a5xxIsUnavailable() async throws {
        try emulator.setFaults(#"{"fail_status": 503}"#)
        defer { try? emulator.setFaults("") }
        await #expect { _ = try await kratos.login(identifier: "a@example.com", password: "whatever-long") } throws: {
            ($0 as? KratosError)?.code == .unavailable
        }
    }

    @Test func refusesAnAdminURLOffLoopback() async {
        var configuration = KratosConfiguration()
        configuration.adminURL = "http://10.0.0.5:4434"
        #expect(!configuration.adminURLIsLoopback)
        let remote = KratosClient(configuration: configuration, http: HTTPClient())
        await #expect { _ = try await remote.identities() } throws: { ($0 as? KratosError)?.code == .forbidden }
    }

    @Test func adminCallsFindAndDeleteIdentities() async throws {
        let email = newEmail()
        _ = try await kratos.register(email: email, password: "a-fine-long-passphrase")
        let found = try await kratos.identities(email: email)
        #expect(found.map(\.email) == [email])
        try await kratos.deleteIdentity(id: found[0].id)
        await #expect { _ = try await kratos.identity(id: found[0].id) } throws: { ($0 as? KratosError)?.code == .notFound }
    }

    @Test(arguments: [
        ("2026-12-02T16:33:20.080243Z", 1_796_229_200.080243),
        ("2026-12-02T16:33:20Z", 1_796_229_200.0),
        ("2026-12-02T18:33:20.5+02:00", 1_796_229_200.5),
    ])
    func parsesKratosTimestamps(text: String, expected: Double) {
        let parsed = RFC3339.date(from: text)?.timeIntervalSince1970
        #expect(parsed.map { abs($0 - expected) < 0.000_01 } == true)
    }

    @Test func refusesMalformedTimestamps() {
        #expect(RFC3339.date(from: "yesterday") == nil)
        #expect(RFC3339.date(from: "2026-12-02T16:33:20") == nil)
    }
}

@Suite struct KratosHeaderTests {
    /// A credential with a control character never reaches libcurl's header list (here it would fail to connect:
    /// nothing listens on port 9, so an attempt would answer `.unavailable`).
    @Test(arguments: ["ory_st_a\r\nX-Admin: 1", "ory_st_\u{1}", "ory_st_\u{7F}"])
    func aControlCharacterInACredentialIsRefusedBeforeAnyCall(_ token: String) async {
        var configuration = KratosConfiguration()
        configuration.publicURL = "http://127.0.0.1:9"
        let client = KratosClient(configuration: configuration, http: HTTPClient())
        do {
            _ = try await client.whoami(.sessionToken(token))
            Issue.record("answered")
        } catch {
            #expect(error.code == .unauthenticated)
        }
    }
}

@Suite struct KratosCallTests {
    /// Whatever id a client sends (`revokeSession(id:)`), the metrics label is the route's template.
    @Test func routesAreFixedTemplates() {
        #expect(KratosCall.template("/sessions/abc") == "/sessions/:id")
        #expect(KratosCall.template("/sessions/whoami") == "/sessions/whoami")
        #expect(KratosCall.template("/sessions?per_page=250") == "/sessions")
        #expect(KratosCall.template("/admin/identities/x%20y") == "/admin/identities/:id")
        #expect(KratosCall.template("/self-service/login?flow=6f1c") == "/self-service/login")
    }
}
