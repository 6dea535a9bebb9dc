// SPDX-License-Identifier: Apache-2.0

/// One linear pass over a GraphQL document before it is parsed: its bracket nesting and its token count.
///
/// GraphQLSwift's parser and validator recurse once per level of `{`, `(` and `[` (a document nested thousands of
/// levels deep would overflow the thread's stack), and building the tree of a 1 MB document costs far more than
/// reading it. This scan follows the lexer's rules for strings, block strings, comments and numbers, allocates
/// nothing, and stops as soon as either limit is passed.
///
/// It also refuses what GraphQLSwift 4.3.0's lexer would crash on rather than report: an escape in a string that
/// is not one of the spec's (`\u` reads four bytes past its position without a bounds check, so `"\u1` at the end
/// of a document trapped the whole worker process — found by `make fuzz`).
enum DocumentScan {
    struct Result: Equatable {
        var depth = 0
        var tokens = 0
        /// The byte offset of an escape sequence the spec does not allow (`\q`, `\u12`, a `\` at the end).
        var malformedEscape: Int?
    }

    /// The 1-based line and column of byte `offset`, for an error's location.
    static func location(of offset: Int, in source: String) -> (line: Int, column: Int) {
        var line = 1
        var column = 1
        for byte in source.utf8.prefix(offset) {
            if byte == 0x0A {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return (line, column)
    }

    static func scan(_ source: String, maxDepth: Int, maxTokens: Int) -> Result {
        var source = source
        return source.withUTF8 { bytes in
            var result = Result()
            var depth = 0
            var index = 0
            func isTripleQuote(at position: Int) -> Bool {
                position + 2 < bytes.count && bytes[position] == 0x22 && bytes[position + 1] == 0x22
                    && bytes[position + 2] == 0x22
            }
            func isNameByte(_ byte: UInt8) -> Bool {
                (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39) || byte == 0x5F
            }
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                switch byte {
                case 0x20, 0x09, 0x0A, 0x0D, UInt8(ascii: ","), 0xEF, 0xBB, 0xBF:
                    continue  // ignored tokens: white space, commas, a byte order mark
                case UInt8(ascii: "#"):
                    while index < bytes.count, bytes[index] != 0x0A, bytes[index] != 0x0D { index += 1 }
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "("), UInt8(ascii: "["):
                    depth += 1
                    result.depth = max(result.depth, depth)
                case UInt8(ascii: "}"), UInt8(ascii: ")"), UInt8(ascii: "]"):
                    depth = max(0, depth - 1)
                case UInt8(ascii: "\"") where isTripleQuote(at: index - 1):
                    // Block string: only `\"""` escapes; it ends at the next unescaped `"""`.
                    index += 2
                    while index < bytes.count, !isTripleQuote(at: index) {
                        index += bytes[index] == UInt8(ascii: "\\") && isTripleQuote(at: index + 1) ? 4 : 1
                    }
                    index += 3
                case UInt8(ascii: "\""):
                    // String: `\` escapes one of `"\/bfnrt`, or `u` and four hex digits; it ends at `"` or a line break.
                    while index < bytes.count {
                        let character = bytes[index]
                        if character == UInt8(ascii: "\\") {
                            let length = escapeLength(bytes, at: index)
                            guard length > 0 else {
                                result.malformedEscape = index
                                return result
                            }
                            index += length
                            continue
                        }
                        index += 1
                        if character == UInt8(ascii: "\"") || character == 0x0A || character == 0x0D { break }
                    }
                case UInt8(ascii: "."):
                    index += index + 1 < bytes.count && bytes[index] == 0x2E && bytes[index + 1] == 0x2E ? 2 : 0
                case UInt8(ascii: "-"), 0x30...0x39:
                    // A number, one token: digits, a fraction, an exponent with its sign.
                    while index < bytes.count {
                        let next = bytes[index]
                        let isExponentSign = (next == 0x2B || next == 0x2D) && (bytes[index - 1] | 0x20) == 0x65
                        guard (next >= 0x30 && next <= 0x39) || next == 0x2E || (next | 0x20) == 0x65 || isExponentSign
                        else { break }
                        index += 1
                    }
                case _ where isNameByte(byte):
                    while index < bytes.count, isNameByte(bytes[index]) { index += 1 }
                default:
                    break  // a punctuator (or a byte the parser will reject): one token
                }
                result.tokens += 1
                if result.depth > maxDepth || result.tokens > maxTokens { return result }
            }
            return result
        }
    }

    /// The length of the escape sequence at `index` (a `\`), or 0 when the spec does not allow it.
    private static func escapeLength(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Int {
        guard index + 1 < bytes.count else { return 0 }
        switch bytes[index + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
            UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            return 2
        case UInt8(ascii: "u"):
            guard index + 5 < bytes.count else { return 0 }
            for offset in 2...5 {
                let digit = bytes[index + offset] | 0x20
                guard (digit >= 0x30 && digit <= 0x39) || (digit >= 0x61 && digit <= 0x66) else { return 0 }
            }
            return 6
        default:
            return 0
        }
    }
}
