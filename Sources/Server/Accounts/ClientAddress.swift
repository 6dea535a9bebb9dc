// SPDX-License-Identifier: Apache-2.0
import Foundation

/// The client's address as the brute-force throttle keys it: nginx's `REMOTE_ADDR`, or, when that is a configured
/// trusted proxy, the nearest address in `X-Forwarded-For` that is not one. IPv6 clients are keyed by their /64,
/// the block one subscriber usually holds, so rotating addresses inside it gains nothing.
public enum ClientAddress {
    /// The throttle key of the request's client: an IPv4 address, or an IPv6 /64. A `remoteAddress` that does not
    /// parse is returned as it is (empty when nil).
    public static func resolve(remoteAddress: String?, forwardedFor: String?, trustedProxies: [AddressRange]) -> String {
        guard let remote = remoteAddress.flatMap(IPAddress.init) else { return remoteAddress ?? "" }
        var client = remote
        if trustedProxies.contains(where: { $0.contains(remote) }), let forwardedFor {
            // Right to left: each hop appends the address it saw; the first one not ours is the client.
            for hop in forwardedFor.split(separator: ",").reversed() {
                guard let address = IPAddress(hop.trimmingCharacters(in: .whitespaces)) else { break }
                client = address
                if !trustedProxies.contains(where: { $0.contains(address) }) { break }
            }
        }
        return client.throttleKey
    }
}

/// An IPv4 or IPv6 address as its bytes (4 or 16).
public struct IPAddress: Sendable, Equatable, CustomStringConvertible {
    /// The address in network byte order: 4 bytes for IPv4, 16 for IPv6.
    public let bytes: [UInt8]

    /// Parses dotted IPv4 or IPv6 text (`::`, an IPv4 tail, a `%zone` dropped); nil when it is neither.
    public init?(_ text: some StringProtocol) {
        if text.contains(":") {
            guard let bytes = Self.parseIPv6(String(text)) else { return nil }
            self.bytes = bytes
        } else {
            guard let bytes = Self.parseIPv4(String(text)) else { return nil }
            self.bytes = bytes
        }
    }

    /// Dotted IPv4, or IPv6 as eight hex groups without `::` compression.
    public var description: String {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        return hexGroups(8).joined(separator: ":")
    }

    /// The first `count` 16-bit groups of an IPv6 address, in hex.
    private func hexGroups(_ count: Int) -> [String] {
        (0..<count).map { String(UInt16(bytes[2 * $0]) << 8 | UInt16(bytes[2 * $0 + 1]), radix: 16) }
    }

    /// IPv4 whole; IPv6 by its /64 (an IPv4-mapped IPv6 address as the IPv4 address).
    var throttleKey: String {
        if bytes.count == 4 { return description }
        if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF {
            return bytes[12...].map(String.init).joined(separator: ".")
        }
        return hexGroups(4).joined(separator: ":") + "::/64"
    }

    private static func parseIPv4(_ text: String) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isASCII), let value = UInt8(part) else { return nil }
            bytes.append(value)
        }
        return bytes
    }

    private static func parseIPv6(_ text: String) -> [UInt8]? {
        var text = Substring(text)
        if let zone = text.firstIndex(of: "%") { text = text[..<zone] }  // fe80::1%eth0
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ part: String) -> [UInt8]? {
            guard !part.isEmpty else { return [] }
            var bytes: [UInt8] = []
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            for (index, piece) in pieces.enumerated() {
                if index == pieces.count - 1, piece.contains(".") {
                    guard let v4 = parseIPv4(String(piece)) else { return nil }
                    bytes += v4
                } else {
                    guard (1...4).contains(piece.count), let value = UInt16(piece, radix: 16) else { return nil }
                    bytes += [UInt8(value >> 8), UInt8(value & 0xFF)]
                }
            }
            return bytes
        }
        guard let head = groups(halves[0]) else { return nil }
        if halves.count == 1 { return head.count == 16 ? head : nil }
        guard let tail = groups(halves[1]), head.count + tail.count <= 14 else { return nil }
        return head + Array(repeating: 0, count: 16 - head.count - tail.count) + tail
    }
}

/// An address block in CIDR notation (`10.0.0.0/8`, `::1/128`), or one address.
public struct AddressRange: Sendable, Equatable {
    /// The block's address as written (host bits are not cleared).
    public let network: IPAddress
    /// Leading bits that must match: 32 or 128 for a single address.
    public let prefixLength: Int

    /// Parses `address/prefix` or a lone address; nil when either part is invalid.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/", maxSplits: 1)
        guard let first = parts.first, let network = IPAddress(first) else { return nil }
        let bits = network.bytes.count * 8
        if parts.count == 2 {
            guard let length = Int(parts[1]), (0...bits).contains(length) else { return nil }
            prefixLength = length
        } else {
            prefixLength = bits
        }
        self.network = network
    }

    /// Whether `address` is in the block; never across IPv4 and IPv6.
    public func contains(_ address: IPAddress) -> Bool {
        guard address.bytes.count == network.bytes.count else { return false }
        var remaining = prefixLength
        for (a, b) in zip(address.bytes, network.bytes) where remaining > 0 {
            let mask: UInt8 = remaining >= 8 ? 0xFF : ~(0xFF >> UInt8(remaining))
            if a & mask != b & mask { return false }
            remaining -= 8
        }
        return true
    }
}
