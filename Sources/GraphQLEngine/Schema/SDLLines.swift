// SPDX-License-Identifier: Apache-2.0

/// Line numbers in an SDL text, for load-time problems that name the line of a field or a directive.
public enum SDLLines {
    /// The 1-based line of the UTF-8 byte `offset` of `text` (a GraphQLSwift `Source` location's `start`).
    public static func line(ofOffset offset: Int, in text: String) -> Int {
        text.utf8.prefix(offset).reduce(1) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
    }
}
