import Foundation
import GraphQL
import SharedState
import Testing

@testable import Server

@Suite struct SignInThrottleTests {
    let statePath = FileManager.default.temporaryDirectory.appendingPathComponent("throttle-\(UUID().uuidString)").path

    func makeThrottle(_ configure: (inout SignInThrottle.Configuration) -> Void = { _ in }) throws -> SignInThrottle {
        var configuration = SignInThrottle.Configuration()
        configure(&configuration)
        return SignInThrottle(configuration: configuration, state: try SharedMemoryState(path: statePath, capacity: 256, retention: .seconds(60)))
    }

    func login(_ throttle: SignInThrottle, _ identifier: String, from address: String = "192.0.2.1") throws(RateLimited) -> SignInThrottle.LoginAttempt {
        try throttle.admitLogin(identifier: LoginIdentifier(identifier)!, address: address)
    }

    @Test func theAttemptAfterTheLimitIsRefusedWhicheverProcessCountsIt() throws {
        let first = try makeThrottle { $0.loginFailuresPerIdentifier.limit = 3 }
        let second = try makeThrottle { $0.loginFailuresPerIdentifier.limit = 3 }
        for throttle in [first, second, first] { _ = try login(throttle, "a@example.com") }  // three failures, kept
        #expect(throws: RateLimited.self) { try login(second, "a@example.com") }
        #expect(throws: RateLimited.self) { try login(first, " A@EXAMPLE.COM\n") }  // the same identifier to Kratos
        _ = try login(first, "b@example.com")
    }

    @Test func successAndUnjudgedAttemptsAreGivenBack() throws {
        let throttle = try makeThrottle {
            $0.loginFailuresPerIdentifier.limit = 2
            $0.loginFailuresPerAddress.limit = 3
        }
        throttle.loginFinished(try login(throttle, "a@example.com"), .notJudged)
        throttle.loginFinished(try login(throttle, "a@example.com"), .refusedCredentials)
        throttle.loginFinished(try login(throttle, "a@example.com"), .succeeded)  // clears the identifier
        throttle.loginFinished(try login(throttle, "a@example.com"), .refusedCredentials)
        throttle.loginFinished(try login(throttle, "a@example.com"), .refusedCredentials)
        #expect(throws: RateLimited.self) { try login(throttle, "a@example.com", from: "192.0.2.9") }
        // The address: 3 failures (the refused, unjudged and successful attempts were given back).
        #expect(throws: RateLimited.self) { try login(throttle, "c@example.com") }
    }

    @Test func aZeroLimitSwitchesTheRuleOff() throws {
        let throttle = try makeThrottle {
            $0.loginFailuresPerIdentifier.limit = 0
            $0.loginFailuresPerAddress.limit = 0
        }
        for _ in 0..<20 { _ = try login(throttle, "a@example.com") }
    }

    @Test func registrationsAreCountedPerAddress() throws {
        let throttle = try makeThrottle { $0.registrationsPerAddress.limit = 2 }
        try throttle.admitRegistration(address: "192.0.2.1")
        try throttle.admitRegistration(address: "192.0.2.1")
        #expect(throws: RateLimited.self) { try throttle.admitRegistration(address: "192.0.2.1") }
        try throttle.admitRegistration(address: "192.0.2.2")
    }

    @Test func theInProcessFallbackIsBounded() {
        let fallback = AttemptThrottle(maxKeys: 100)
        let start = ContinuousClock.now
        for index in 0..<1_000 { _ = fallback.count(StateKey("k", "\(index)"), window: .seconds(60), now: start + .milliseconds(index)) }
        #expect(fallback.trackedKeys <= 100)
        #expect(fallback.count(StateKey("k", "999"), window: .seconds(60), now: start + .seconds(1)).attempts == 2)
    }

    @Test func identifiersAreNormalisedAsKratosDoes() {
        #expect(LoginIdentifier("\u{85}\u{A0} User@Example.COM\t\n")?.throttleKey == "user@example.com")
        #expect(LoginIdentifier("\u{3000}a@x\u{2029}")?.trimmed == "a@x")
        #expect(LoginIdentifier("İ@x")?.throttleKey == "i@x")  // Go's simple mapping, not "i̇"
        #expect(LoginIdentifier("a\u{1}b@x") == nil)
        #expect(LoginIdentifier("a\rb@x") == nil)
        #expect(LoginIdentifier("   ")?.trimmed == "")
    }

    @Test func retryAfterRoundsUpToWholeSeconds() {
        #expect(RateLimited(retryAfter: .milliseconds(1)).seconds == 1)
        #expect(RateLimited(retryAfter: .milliseconds(59_001)).seconds == 60)
        #expect(RateLimited(retryAfter: .seconds(5)).graphQLError.message == "Too many attempts; try again in 5 seconds")
    }
}

@Suite struct ClientAddressTests {
    let proxies = ["10.0.0.0/8", "::1"].compactMap(AddressRange.init)

    func client(_ remote: String, _ forwarded: String? = nil, trusted: [AddressRange]? = nil) -> String {
        ClientAddress.resolve(remoteAddress: remote, forwardedFor: forwarded, trustedProxies: trusted ?? proxies)
    }

    @Test func parsesAddresses() {
        #expect(IPAddress("192.0.2.1")?.bytes == [192, 0, 2, 1])
        #expect(IPAddress("2001:db8::1")?.description == "2001:db8:0:0:0:0:0:1")
        #expect(IPAddress("::ffff:192.0.2.1")?.bytes.suffix(4) == [192, 0, 2, 1])
        #expect(IPAddress("fe80::1%eth0") != nil)
        for bad in ["256.0.0.1", "1.2.3", "1.2.3.4.5", "1:2:3:4:5:6:7:8:9", "1::2::3", "x::1", "", "12345::1", "1.2.3.-4"] {
            #expect(IPAddress(bad) == nil, "\(bad)")
        }
    }

    @Test func rangesContainTheirAddresses() {
        let range = AddressRange("10.1.0.0/16")!
        #expect(range.contains(IPAddress("10.1.255.3")!))
        #expect(!range.contains(IPAddress("10.2.0.1")!))
        #expect(AddressRange("2001:db8::/32")!.contains(IPAddress("2001:db8:ffff::1")!))
        #expect(AddressRange("10.0.0.0/33") == nil && AddressRange("10.0.0.0/x") == nil)
    }

    @Test func forwardedForCountsOnlyBehindATrustedProxy() {
        #expect(client("192.0.2.1", "203.0.113.5") == "192.0.2.1")  // not a trusted proxy: the header is the client's
        #expect(client("10.0.0.2", "203.0.113.5") == "203.0.113.5")
        #expect(client("10.0.0.2", "198.51.100.1, 203.0.113.5, 10.0.0.7") == "203.0.113.5")  // nearest untrusted hop
        #expect(client("10.0.0.2", "garbage") == "10.0.0.2")
        #expect(client("10.0.0.2") == "10.0.0.2")
    }

    @Test func ipv6ClientsAreKeyedByTheirSlash64() {
        #expect(client("2001:db8:1:2:aaaa::1") == "2001:db8:1:2::/64")
        #expect(client("2001:db8:1:2:bbbb::9") == "2001:db8:1:2::/64")
        #expect(client("::ffff:192.0.2.1") == "192.0.2.1")
    }
}
