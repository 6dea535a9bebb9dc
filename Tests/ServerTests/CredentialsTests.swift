import Kratos
import Testing

@testable import Server

@Suite struct CredentialsTests {
    @Test func followsKratosOrderTokenThenCookieThenBearer() {
        let all = [
            "HTTP_X_SESSION_TOKEN": "ory_st_a", "HTTP_COOKIE": "ory_kratos_session=MTc", "HTTP_AUTHORIZATION": "Bearer ory_st_b",
        ]
        #expect(Credentials.from(parameters: all) == .sessionToken("ory_st_a"))
        #expect(Credentials.from(parameters: all.filter { $0.key != "HTTP_X_SESSION_TOKEN" }) == .sessionCookie("MTc"))
        #expect(Credentials.from(parameters: ["HTTP_AUTHORIZATION": "bearer ory_st_b"]) == .sessionToken("ory_st_b"))
    }

    @Test(arguments: ["Bearer", "Basic dXNlcjpwYXNz", "Bearer a b", ""])
    func ignoresAuthorizationThatIsNotOneBearerToken(_ header: String) {
        #expect(Credentials.from(parameters: ["HTTP_AUTHORIZATION": header]) == nil)
    }

    @Test func findsTheSessionCookieAmongOthers() {
        #expect(Credentials.sessionCookie(in: "theme=dark; ory_kratos_session=abc=; lang=en") == "abc=")
        #expect(Credentials.sessionCookie(in: "theme=dark; ory_kratos_session_other=x") == nil)
        #expect(Credentials.sessionCookie(in: "ory_kratos_session=") == nil)
    }
}
