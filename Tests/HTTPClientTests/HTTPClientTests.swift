import Foundation
import Testing
import TestSupport

@testable import HTTPClient

@Suite(.serialized) struct HTTPClientTests {
    /// One emulator per suite: suites run in parallel, and this one's fault switches must not reach the other.
    static let sharedEmulator = try! KratosEmulatorProcess()
    let emulator: KratosEmulatorProcess
    let client: HTTPClient

    init() throws {
        emulator = Self.sharedEmulator
        client = HTTPClient()
    }

    @Test func getsAResponseWithLowercasedHeaders() async throws {
        let response = try await client.execute(HTTPClientRequest(url: emulator.publicURL + "/health/alive"))
        #expect(response.status == 200)
        #expect(String(decoding: response.body, as: UTF8.self) == #"{"status": "ok"}"#)
        #expect(response.header("Content-Type") == "application/json; charset=utf-8")
    }

    @Test func postsABodyAndReadsTheStatusAndLocation() async throws {
        let body = Array(#"{"traits":{"email":"http-client@example.com"}}"#.utf8)
        let response = try await client.execute(
            HTTPClientRequest(method: "POST", url: emulator.adminURL + "/admin/identities", headers: [("Content-Type", "application/json")], body: body)
        )
        #expect(response.status == 201)
        #expect(response.header("location")?.contains("/identities/") == true)
        let again = try await client.execute(
            HTTPClientRequest(method: "POST", url: emulator.adminURL + "/admin/identities", headers: [("Content-Type", "application/json")], body: body)
        )
        #expect(again.status == 409)
    }

    @Test func refusedConnectionsFailFastWithConnectFailed() async {
        await #expect {
            _ = try await client.execute(HTTPClientRequest(url: "http://127.0.0.1:1/"))
        } throws: { ($0 as? HTTPClientError)?.code == .connectFailed }
    }

    @Test func theTotalDeadlineCutsASlowServer() async throws {
        try emulator.setFaults(#"{"latency_ms": 2000}"#)
        defer { try? emulator.setFaults("") }
        let started = ContinuousClock.now
        await #expect {
            _ = try await client.execute(HTTPClientRequest(url: emulator.publicURL + "/health/alive", timeout: .milliseconds(300)))
        } throws: { ($0 as? HTTPClientError)?.code == .timedOut }
        #expect(ContinuousClock.now - started < .seconds(2))
    }

    @Test func largeResponsesAreRefused() async {
        let small = HTTPClient(configuration: { var c = HTTPClientConfiguration(); c.maxResponseBytes = 10; return c }())
        await #expect {
            _ = try await small.execute(HTTPClientRequest(url: emulator.publicURL + "/self-service/login/api"))
        } throws: { ($0 as? HTTPClientError)?.code == .responseTooLarge }
    }

    @Test func manyConcurrentCallsAllComplete() async throws {
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<100 {
                group.addTask { try await client.execute(HTTPClientRequest(url: emulator.publicURL + "/health/ready")).status }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(statuses.count == 100 && statuses.allSatisfy { $0 == 200 })
    }

    /// Not a timed assertion: prints the per-call latency on a kept connection (the figure the README quotes).
    @Test func reportsPerCallLatency() async throws {
        let url = emulator.publicURL + "/health/alive"
        _ = try await client.execute(HTTPClientRequest(url: url))
        let calls = 200
        let started = ContinuousClock.now
        for _ in 0..<calls { _ = try await client.execute(HTTPClientRequest(url: url)) }
        let perCall = (ContinuousClock.now - started) / calls
        print("HTTPClient: \(perCall) per sequential call to the emulator on a kept connection")
    }
}
