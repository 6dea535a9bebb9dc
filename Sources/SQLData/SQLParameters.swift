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

/// An `@sql` statement with its named parameters replaced by positional ones (`?1`, `?2`, … for SQLite, `$1`, `$2`,
/// … for PostgreSQL): values are always bound, never spliced into the text. A name used twice is one position.
/// Parameters inside string literals, quoted identifiers (SQLite's `` `x` `` and `[x]` too), PostgreSQL's
/// dollar-quoted strings and comments are text, and PostgreSQL's `::type` casts are not parameters.
public struct SQLStatement: Sendable, Equatable {
    /// The text as the database receives it.
    public let text: String
    /// The value source of each position, in order (`parameters[0]` is `?1` or `$1`).
    public let parameters: [SQLParameterSource]
    /// How the statement runs for every parent row at once, when it can (see `SQLBatch`).
    public let batch: SQLBatch?
    /// The text writes PostgreSQL's `$1`, `$2`, … itself, which would be bound to the named parameters' values.
    public let hasPositionalParameters: Bool

    /// Rewrites `written` for `dialect`; nil when it has an unterminated string, identifier or comment.
    public init?(_ written: String, dialect: SQLDialect = .sqlite) {
        var text = ""
        var parameters: [SQLParameterSource] = []
        var hasPositionalParameters = false
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
        /// `$$` or `$tag$` at `at`, the opening of a dollar-quoted string.
        func dollarQuoteTag(at start: Int) -> [Unicode.Scalar]? {
            var end = start + 1
            while end < characters.count, characters[end] != "$" {
                guard end == start + 1 ? isNameStart(characters[end]) : isNamePart(characters[end]) else { return nil }
                end += 1
            }
            return end < characters.count ? Array(characters[start...end]) : nil
        }
        while index < characters.count {
            let scalar = characters[index]
            switch scalar {
            case "$" where dialect == .postgresql && ("0"..."9").contains(peek(1) ?? " "):
                hasPositionalParameters = true
                text.unicodeScalars.append(scalar)
                index += 1
            case "$" where dialect == .postgresql && dollarQuoteTag(at: index) != nil:
                // PostgreSQL's dollar quoting (`$$…$$`, `$tag$…$tag$`): text, copied as it is.
                let tag = dollarQuoteTag(at: index)!
                var end = index + tag.count
                while end + tag.count <= characters.count, Array(characters[end..<(end + tag.count)]) != tag { end += 1 }
                guard end + tag.count <= characters.count else { return nil }
                text.unicodeScalars.append(contentsOf: characters[index..<(end + tag.count)])
                index = end + tag.count
            case _ where scalar == "'" || scalar == "\"" || (dialect == .sqlite && (scalar == "`" || scalar == "[")):
                // A literal or quoted identifier (SQLite also quotes names with `` ` `` and `[ ]`), doubled quotes
                // inside; copied as it is.
                let close: Unicode.Scalar = scalar == "[" ? "]" : scalar
                var end = index + 1
                while true {
                    guard end < characters.count else { return nil }
                    if characters[end] == close {
                        if close == "]" { break }
                        if end + 1 < characters.count, characters[end + 1] == close { end += 2; continue }
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
                    text += dialect.placeholder(position + 1)
                } else {
                    parameters.append(source)
                    text += dialect.placeholder(parameters.count)
                }
                index = end
            default:
                text.unicodeScalars.append(scalar)
                index += 1
            }
        }
        self.text = text
        self.parameters = parameters
        self.hasPositionalParameters = hasPositionalParameters
        self.batch = SQLBatch(text: text, parameters: parameters, dialect: dialect)
    }
}

/// A statement keyed on one column of its parent row (`… WHERE author_id = :parent.id …`), rewritten to run once for
/// all the parent rows of a list: on SQLite `author_id IN (SELECT value FROM json_each(?N))`, the parents' values
/// bound as one JSON array; on PostgreSQL `author_id = ANY($N)`, bound as one array. The rows go back to their
/// parents by the key column, which the statement must select.
/// Only a plain equality with one parent column is batched, and never a statement with `LIMIT` or `OFFSET` (their
/// limit is per parent); any other runs once per parent row.
public struct SQLBatch: Sendable, Equatable {
    /// The statement for all parents.
    public let text: String
    /// The position of the parents' values (`?N`, `$N`), bound to all of them at once.
    public let position: Int
    /// The result column naming the parent a row belongs to (`author_id`).
    public let keyColumn: String
    /// The parent row's column whose values are the keys (`id`).
    public let parentColumn: String

    /// The database the text is for.
    public let dialect: SQLDialect

    init?(text: String, parameters: [SQLParameterSource], dialect: SQLDialect) {
        let parents = parameters.enumerated().compactMap { index, source in if case .parent(let column) = source { (index + 1, column) } else { nil } }
        guard parents.count == 1, let (position, parentColumn) = parents.first else { return nil }
        // Only a plain filter of one table: anything that could make `IN` mean other than `=` for each parent, or
        // join rows of other parents (a limit, a join, a subquery, an alternative, a negation, an aggregate, a
        // collation), runs once per parent instead. Words are looked for in the whole text, literals included:
        // a false alarm only costs the batching.
        let words = sqlWords(text)
        let refused: Set<String> = ["LIMIT", "OFFSET", "JOIN", "OR", "NOT", "GROUP", "HAVING", "DISTINCT", "COLLATE", "CASE", "UNION",
                       "INTERSECT", "EXCEPT", "EXISTS", "IN", "ANY", "SOME", "ALL", "WITH", "WINDOW", "OVER", "COUNT", "SUM", "AVG", "MIN", "MAX",
                       "TOTAL", "GROUP_CONCAT", "STRING_AGG", "JSON_GROUP_ARRAY", "JSON_GROUP_OBJECT"]
        guard !words.contains(where: refused.contains), words.count(where: { $0 == "SELECT" }) == 1, words.count(where: { $0 == "FROM" }) == 1
        else { return nil }
        let token = dialect.placeholder(position)
        let scalars = Array(text.unicodeScalars)
        let tokenScalars = Array(token.unicodeScalars)
        var matches: [Int] = []
        var index = 0
        while index + tokenScalars.count <= scalars.count {
            if Array(scalars[index..<(index + tokenScalars.count)]) == tokenScalars,
                index + tokenScalars.count == scalars.count || !("0"..."9").contains(scalars[index + tokenScalars.count])
            {
                matches.append(index)
            }
            index += 1
        }
        guard matches.count == 1, let tokenStart = matches.first else { return nil }
        // Backwards: white space, `=` (not `<=`, `>=`, `!=`), white space, then the column (`a.author_id`, `"x"`).
        var cursor = tokenStart - 1
        while cursor >= 0, scalars[cursor].properties.isWhitespace { cursor -= 1 }
        guard cursor >= 1, scalars[cursor] == "=", !"<>!=".unicodeScalars.contains(scalars[cursor - 1]) else { return nil }
        cursor -= 1
        while cursor >= 0, scalars[cursor].properties.isWhitespace { cursor -= 1 }
        let columnEnd = cursor + 1
        func isColumnPart(_ scalar: Unicode.Scalar) -> Bool {
            scalar == "_" || scalar == "." || scalar == "\"" || ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
        }
        while cursor >= 0, isColumnPart(scalars[cursor]) { cursor -= 1 }
        let columnStart = cursor + 1
        guard columnStart < columnEnd else { return nil }
        // The column alone on its side of `=`: right after `WHERE`, `AND` or `(` (not `1000 + author_id = …`).
        while cursor >= 0, scalars[cursor].properties.isWhitespace { cursor -= 1 }
        let preceding = String(String.UnicodeScalarView(scalars[..<(cursor + 1)])).uppercased()
        guard preceding.hasSuffix("(") || ["WHERE", "AND"].contains(where: { word in
            preceding.hasSuffix(word) && !(preceding.dropLast(word.count).last.map { $0.isLetter || $0.isNumber || $0 == "_" } ?? false)
        }) else { return nil }
        // One table: no `FROM a, b` (a join by comma) between `FROM` and `WHERE`.
        let upper = text.uppercased()
        if let from = upper.firstRange(of: "FROM"), let whereClause = upper[from.upperBound...].firstRange(of: "WHERE"),
            upper[from.upperBound..<whereClause.lowerBound].contains(",")
        {
            return nil
        }
        let column = String(String.UnicodeScalarView(scalars[columnStart..<columnEnd]))
        guard let key = column.split(separator: ".").last.map({ $0.filter { $0 != "\"" } }), !key.isEmpty else { return nil }
        let before = String(String.UnicodeScalarView(scalars[..<columnStart]))
        let after = String(String.UnicodeScalarView(scalars[(tokenStart + tokenScalars.count)...]))
        switch dialect {
        case .sqlite: self.text = before + column + " IN (SELECT value FROM json_each(" + token + "))" + after
        case .postgresql: self.text = before + column + " = ANY(" + token + ")" + after
        }
        self.dialect = dialect
        self.position = position
        self.keyColumn = key
        self.parentColumn = parentColumn
    }
}
