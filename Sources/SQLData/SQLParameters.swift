// SPDX-License-Identifier: Apache-2.0

/// Where a named parameter of an `@sql` statement takes its value from.
public enum SQLParameterSource: Sendable, Equatable, CustomStringConvertible {
    /// `:name`: the field's argument `name`.
    case argument(String)
    /// `:parent.column`: the column `column` of the row the parent field returned.
    case parent(String)
    /// `:identity`: the signed-in identity's id (the field then requires a session).
    case identity

    /// The parameter as the statement writes it.
    public var description: String {
        switch self {
        case .argument(let name): ":\(name)"
        case .parent(let column): ":parent.\(column)"
        case .identity: ":identity"
        }
    }
}

/// An `@sql` statement with its named parameters replaced by positional ones (`?1`, `?2`, …): values are always
/// bound, never spliced into the text. A name used twice is one position. Parameters inside string literals,
/// quoted identifiers and comments are text, and PostgreSQL's `::type` casts are not parameters.
public struct SQLStatement: Sendable, Equatable {
    /// The text as the database receives it.
    public let text: String
    /// The value source of each position, in order (`parameters[0]` is `?1`).
    public let parameters: [SQLParameterSource]

    /// Rewrites `written`; nil when it has an unterminated string, identifier or comment.
    public init?(_ written: String) {
        var text = ""
        var parameters: [SQLParameterSource] = []
        let characters = Array(written.unicodeScalars)
        var index = 0
        func peek(_ offset: Int) -> Unicode.Scalar? { index + offset < characters.count ? characters[index + offset] : nil }
        func isNameStart(_ scalar: Unicode.Scalar?) -> Bool {
            guard let scalar else { return false }
            return scalar == "_" || ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
        }
        func isNamePart(_ scalar: Unicode.Scalar?) -> Bool {
            guard let scalar else { return false }
            return isNameStart(scalar) || ("0"..."9").contains(scalar)
        }
        while index < characters.count {
            let scalar = characters[index]
            switch scalar {
            case "'", "\"":
                // A literal or quoted identifier, doubled quotes inside; copied as it is.
                var end = index + 1
                while true {
                    guard end < characters.count else { return nil }
                    if characters[end] == scalar {
                        if end + 1 < characters.count, characters[end + 1] == scalar { end += 2; continue }
                        break
                    }
                    end += 1
                }
                text.unicodeScalars.append(contentsOf: characters[index...end])
                index = end + 1
            case "-" where peek(1) == "-":
                while index < characters.count, characters[index] != "\n" { text.unicodeScalars.append(characters[index]); index += 1 }
            case "/" where peek(1) == "*":
                guard let close = (index + 2..<max(index + 2, characters.count - 1)).first(where: { characters[$0] == "*" && characters[$0 + 1] == "/" })
                else { return nil }
                text.unicodeScalars.append(contentsOf: characters[index...close + 1])
                index = close + 2
            case ":" where peek(1) == ":":
                text += "::"
                index += 2
            case ":" where isNameStart(peek(1)):
                var end = index + 1
                while isNamePart(end < characters.count ? characters[end] : nil) { end += 1 }
                var name = String(String.UnicodeScalarView(characters[(index + 1)..<end]))
                var source = SQLParameterSource.argument(name)
                if name == "identity" {
                    source = .identity
                } else if name == "parent", end < characters.count, characters[end] == ".", isNameStart(end + 1 < characters.count ? characters[end + 1] : nil) {
                    var columnEnd = end + 1
                    while isNamePart(columnEnd < characters.count ? characters[columnEnd] : nil) { columnEnd += 1 }
                    name = String(String.UnicodeScalarView(characters[(end + 1)..<columnEnd]))
                    source = .parent(name)
                    end = columnEnd
                }
                if let position = parameters.firstIndex(of: source) {
                    text += "?\(position + 1)"
                } else {
                    parameters.append(source)
                    text += "?\(parameters.count)"
                }
                index = end
            default:
                text.unicodeScalars.append(scalar)
                index += 1
            }
        }
        self.text = text
        self.parameters = parameters
    }
}
