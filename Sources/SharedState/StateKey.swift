// SPDX-License-Identifier: Apache-2.0
import Crypto

/// A key of the shared state: the first 128 bits of the SHA-256 of what it names (`session:<id>`,
/// `login-identifier:<normalised identifier>`…). Every key has the same 16 bytes whatever a client sent, so no
/// table grows with the length of attacker-controlled text, and no raw identifier or address is stored.
public struct StateKey: Hashable, Sendable, CustomStringConvertible {
    public let high: UInt64
    public let low: UInt64

    /// The key of `kind` and `name`, e.g. `StateKey("session", id)`.
    public init(_ kind: String, _ name: String) {
        var hash = SHA256()
        hash.update(data: Array(kind.utf8))
        hash.update(data: [0])
        hash.update(data: Array(name.utf8))
        let bytes = Array(hash.finalize())
        var high: UInt64 = 0
        var low: UInt64 = 0
        for index in 0..<8 {
            high = high << 8 | UInt64(bytes[index])
            low = low << 8 | UInt64(bytes[index + 8])
        }
        // 0:0 marks an unused slot in the shared-memory table.
        self.high = high
        self.low = high == 0 && low == 0 ? 1 : low
    }

    init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// 32 hexadecimal digits (Redis key names).
    public var description: String {
        Self.hex(high) + Self.hex(low)
    }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
