import GraphQL
import Testing

@testable import Server

@Suite struct SignInThrottleTests {
    @Test func aKeyIsRefusedAtItsLimitUntilItsWindowEnds() {
        let throttle = AttemptThrottle(rule: .init(limit: 2, window: .seconds(60)))
        let start = ContinuousClock.now
        throttle.record("a", now: start)
        #expect(throttle.retryAfter("a", now: start) == nil)
        throttle.record("a", now: start + .seconds(1))
        #expect(throttle.retryAfter("a", now: start + .seconds(10)) == .seconds(50))
        #expect(throttle.retryAfter("b", now: start + .seconds(10)) == nil)
        #expect(throttle.retryAfter("a", now: start + .seconds(60)) == nil)
        throttle.record("a", now: start + .seconds(61))  // a new window
        #expect(throttle.retryAfter("a", now: start + .seconds(61)) == nil)
    }

    @Test func memoryIsBounded() {
        let throttle = AttemptThrottle(rule: .init(limit: 1, window: .seconds(60)), maxKeys: 100)
        let start = ContinuousClock.now
        for index in 0..<1_000 { throttle.record("k\(index)", now: start + .milliseconds(index)) }
        #expect(throttle.trackedKeys <= 100)
        // The newest keys are kept: the ones evicted were those whose windows end soonest.
        #expect(throttle.retryAfter("k999", now: start + .seconds(1)) != nil)
    }

    @Test func aZeroLimitSwitchesTheRuleOff() {
        let throttle = AttemptThrottle(rule: .init(limit: 0, window: .seconds(60)))
        for _ in 0..<10 { throttle.record("a") }
        #expect(throttle.retryAfter("a") == nil && throttle.trackedKeys == 0)
    }

    @Test func loginSuccessClearsTheIdentifierButNotTheAddress() throws {
        var configuration = SignInThrottle.Configuration()
        configuration.loginFailuresPerIdentifier.limit = 2
        configuration.loginFailuresPerAddress.limit = 3
        let throttle = SignInThrottle(configuration: configuration)
        throttle.loginFailed(identifier: "A@example.com", address: "192.0.2.1")
        throttle.loginFailed(identifier: " a@example.com", address: "192.0.2.1")
        #expect(throws: RateLimited.self) { try throttle.checkLogin(identifier: "a@EXAMPLE.com", address: "192.0.2.2") }
        throttle.loginSucceeded(identifier: "a@example.com")
        try throttle.checkLogin(identifier: "a@example.com", address: "192.0.2.2")
        throttle.loginFailed(identifier: "b@example.com", address: "192.0.2.1")
        #expect(throws: RateLimited.self) { try throttle.checkLogin(identifier: "c@example.com", address: "192.0.2.1") }
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
