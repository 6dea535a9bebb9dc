// SPDX-License-Identifier: Apache-2.0
import Crypto
public import Foundation

/// A SHA-256 as 64 lower-case hex digits (persisted-query hashes, session-cache keys, the explorer's ETags).
public enum SHA256Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    /// The SHA-256 of the UTF-8 bytes of `text`.
    public static func of(_ text: String) -> String { of(Data(text.utf8)) }

    /// The SHA-256 of `data`.
    public static func of(_ data: Data) -> String {
        var hex: [UInt8] = []
        hex.reserveCapacity(64)
        for byte in SHA256.hash(data: data) {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: hex, as: UTF8.self)
    }
}
