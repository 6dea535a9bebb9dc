import Kratos
import Testing

@testable import Server

@Suite struct CredentialsTests {
    func credential(_ parameters: [String: String]) -> KratosCredential? {
        Credentials.from { parameters[$0] }
    }

    @Test func followsKratosOrderTokenThenCookieThenBearer() {
        let all = [
            "HTTP_X_SESSION_TOKEN": "ory_st_a", "HTTP_COOKIE": "ory_kratos_session=MTc", "HTTP_AUTHORIZATION": "Bearer ory_st_b",
        ]
        #expect(credential(all) == .sessionToken("ory_st_a"))
        #expect(credential(all.filter { $0.key != "HTTP_X_SESSION_TOKEN" }) == .sessionCookie("MTc"))
        #expect(credential(["HTTP_AUTHORIZATION": "bearer ory_st_b"]) == .sessionToken("ory_st_b"))
    }

    @Test(arguments: ["Bearer", "Basic dXNlcjpwYXNz", "Bearer a b", ""])
    func ignoresAuthorizationThatIsNotOneBearerToken(_ header: String) {
        #expect(credential(["HTTP_AUTHORIZATION": header]) == nil)
    }

    @Test func findsTheSessionCookieAmongOthers() {
        #expect(Credentials.sessionCookie(in: "theme=dark; ory_kratos_session=abc=; lang=en") == "abc=")
        #expect(Credentials.sessionCookie(in: "theme=dark; ory_kratos_session_other=x") == nil)
        #expect(Credentials.sessionCookie(in: "ory_kratos_session=") == nil)
    }
}
