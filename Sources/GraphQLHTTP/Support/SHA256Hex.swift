// SPDX-License-Identifier: Apache-2.0
import Crypto
public import Foundation

/// A SHA-256 as 64 lower-case hex digits (persisted-query hashes, session-cache keys, the explorer's ETags).
public enum SHA256Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    /// The SHA-256 of the UTF-8 bytes of `text` (hashed in place: no copy into a `Data` first).
    public static func of(_ text: String) -> String {
        var text = text
        return text.withUTF8 { hex(SHA256.hash(data: $0)) }
    }

    /// The SHA-256 of `data`.
    public static func of(_ data: Data) -> String { hex(SHA256.hash(data: data)) }

    private static func hex(_ digest: SHA256.Digest) -> String {
        String(unsafeUninitializedCapacity: 64) { buffer in
            var index = 0
            for byte in digest {
                buffer[index] = digits[Int(byte >> 4)]
                buffer[index + 1] = digits[Int(byte & 0x0F)]
                index += 2
            }
            return 64
        }
    }
}
