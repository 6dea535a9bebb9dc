// SPDX-License-Identifier: Apache-2.0

/// Measures the bracket nesting of a GraphQL document before it is parsed.
///
/// GraphQLSwift's parser and validator recurse once per level of `{`, `(` and `[`; a document nested thousands of
/// levels deep would overflow the thread's stack. This single linear scan (skipping strings, block strings and
/// comments by the lexer's rules) lets such documents be refused before the parser sees them.
enum NestingGuard {
    /// The deepest nesting in `source`, stopping early once it passes `limit`.
    static func depth(of source: String, stoppingAfter limit: Int) -> Int {
        var source = source
        return source.withUTF8 { bytes in
            var depth = 0
            var deepest = 0
            var index = 0
            func isTripleQuote(at position: Int) -> Bool {
                position + 2 < bytes.count && bytes[position] == 0x22 && bytes[position + 1] == 0x22
                    && bytes[position + 2] == 0x22
            }
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                switch byte {
                case UInt8(ascii: "{"), UInt8(ascii: "("), UInt8(ascii: "["):
                    depth += 1
                    if depth > deepest {
                        deepest = depth
                        if deepest > limit { return deepest }
                    }
                case UInt8(ascii: "}"), UInt8(ascii: ")"), UInt8(ascii: "]"):
                    depth = max(0, depth - 1)
                case UInt8(ascii: "#"):
                    while index < bytes.count, bytes[index] != 0x0A, bytes[index] != 0x0D { index += 1 }
                case UInt8(ascii: "\"") where isTripleQuote(at: index - 1):
                    // Block string: only `\"""` escapes; it ends at the next unescaped `"""`.
                    index += 2
                    while index < bytes.count, !isTripleQuote(at: index) {
                        index += bytes[index] == UInt8(ascii: "\\") && isTripleQuote(at: index + 1) ? 4 : 1
                    }
                    index += 3
                case UInt8(ascii: "\""):
                    // String: `\` escapes one character; it ends at `"` or a line break.
                    while index < bytes.count {
                        let character = bytes[index]
                        index += character == UInt8(ascii: "\\") ? 2 : 1
                        if character == UInt8(ascii: "\"") || character == 0x0A || character == 0x0D { break }
                    }
                default:
                    break
                }
            }
            return deepest
        }
    }
}
