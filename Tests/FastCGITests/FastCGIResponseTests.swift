import Testing

@testable import FastCGI

@Suite struct FastCGIResponseTests {
    @Test func writesTheCGIHead() {
        let response = FastCGIResponse(status: 405, headers: [("Allow", "POST")], body: Array("{}".utf8))
        #expect(response.head == "Status: 405 Method Not Allowed\r\nAllow: POST\r\nContent-Length: 2\r\n\r\n")
    }

    @Test func stripsLineBreaksFromHeaderValues() {
        let response = FastCGIResponse(status: 200, headers: [("X-Request-Id", "a\r\nSet-Cookie: b")])
        #expect(response.head.contains("X-Request-Id: aSet-Cookie: b\r\n"))
        #expect(!response.head.contains("\nSet-Cookie"))
    }

    @Test func choosesSocketActivationOnlyForThisProcess() {
        #expect(ListenAddress.inherited(environment: ["LISTEN_FDS": "1", "LISTEN_PID": "42"], processID: 42) == .systemdSocketActivation)
        #expect(ListenAddress.inherited(environment: ["LISTEN_FDS": "1", "LISTEN_PID": "41"], processID: 42) != .systemdSocketActivation)
    }
}
