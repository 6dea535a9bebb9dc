// SPDX-License-Identifier: Apache-2.0

/// Where a placeholder of an `@http` URL takes its value from.
public enum HTTPValueSource: Sendable, Equatable, CustomStringConvertible {
    /// `{name}`: the field's argument `name`.
    case argument(String)
    /// `{parent.field}`: the field `field` of the object the parent field returned.
    case parent(String)
    /// `{identity}`: the signed-in identity's id (the field then requires a session).
    case identity

    /// The placeholder as the URL writes it.
    public var description: String {
        switch self {
        case .argument(let name): "{\(name)}"
        case .parent(let field): "{parent.\(field)}"
        case .identity: "{identity}"
        }
    }
}

/// An `@http` URL with placeholders (`https://catalog.internal/items/{id}?lang={parent.lang}`), each replaced by
/// its value percent-encoded (every byte but `A-Z a-z 0-9 - _ ~`; `.` too, so that no value is a `..` segment),
/// so that a value is always one path segment or one query value: it cannot add a `/`, a `?`, a `&` or a `#`; and
/// a value in the path that a decoding server would still read as another path (empty, `.`, `..`, holding `/`,
/// `\` or `%`) is refused (`render`). Placeholders may stand
/// only after the host (in the path, the query or the fragment): no value chooses the server a call goes to.
public struct HTTPURLTemplate: Sendable, Equatable {
    enum Part: Sendable, Equatable {
        case text(String)
        /// A placeholder, and whether it stands in the path (before any `?` or `#`).
        case value(HTTPValueSource, inPath: Bool)
    }

    /// Why a URL cannot be a template.
    public struct Problem: Error, Equatable, CustomStringConvertible {
        /// What is wrong.
        public let description: String
    }

    let parts: [Part]
    /// `http` or `https`.
    public let scheme: String
    /// The host, and `:port` when the URL gives one, lower-cased.
    public let authority: String
    /// The host alone, lower-cased (an IPv6 address in its brackets).
    public let host: String
    /// The port the call goes to: the URL's, or the scheme's (80, 443).
    public let port: Int

    /// The value sources of the placeholders, in order, each once.
    public var sources: [HTTPValueSource] {
        var sources: [HTTPValueSource] = []
        for case .value(let source, _) in parts where !sources.contains(source) { sources.append(source) }
        return sources
    }

    /// Parses `written`.
    public init(_ written: String) throws(Problem) {
        var parts: [Part] = []
        var text = ""
        var rest = Substring(written)
        while let open = rest.firstIndex(where: { $0 == "{" || $0 == "}" }) {
            guard rest[open] == "{", let close = rest[open...].firstIndex(of: "}") else {
                throw Problem(description: "the URL has an unmatched brace")
            }
            text += rest[..<open]
            if !text.isEmpty { parts.append(.text(text)) }
            text = ""
            let name = String(rest[rest.index(after: open)..<close])
            let before = parts.map { if case .text(let text) = $0 { text } else { "" } }.joined()
            parts.append(.value(try Self.source(name), inPath: !before.contains("?") && !before.contains("#")))
            rest = rest[rest.index(after: close)...]
        }
        text += rest
        if !text.isEmpty { parts.append(.text(text)) }

        // The scheme and the whole authority come before the first placeholder, ended by `/`, `?` or `#`.
        guard case .text(let head)? = parts.first else { throw Problem(description: "the URL must start with http:// or https://") }
        let lowered = head.lowercased()
        guard let scheme = ["https", "http"].first(where: { lowered.hasPrefix($0 + "://") }) else {
            throw Problem(description: "the URL must start with http:// or https://")
        }
        let afterScheme = head.dropFirst(scheme.count + 3)
        let authorityEnd = afterScheme.firstIndex(where: { "/?#".contains($0) })
        if authorityEnd == nil, parts.count > 1 {
            throw Problem(description: "a placeholder may not stand in the host: start the path (/) before it")
        }
        var authority = String(afterScheme[..<(authorityEnd ?? afterScheme.endIndex)]).lowercased()
        if let at = authority.lastIndex(of: "@") { authority = String(authority[authority.index(after: at)...]) }
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-._:[]")
        guard !authority.isEmpty, authority.allSatisfy(allowed.contains), !authority.hasPrefix(":") else {
            throw Problem(description: "the URL has no host, or a host that is not a name or an address")
        }
        guard !written.contains(where: { $0.isWhitespace || $0.isNewline }) else { throw Problem(description: "the URL has white space in it") }
        let portStart = authority.lastIndex(of: ":").flatMap { colon in authority.hasSuffix("]") ? nil : colon }
        let host = String(authority[..<(portStart ?? authority.endIndex)])
        let defaultPort = scheme == "https" ? 443 : 80
        guard !host.isEmpty, let port = portStart.map({ Int(authority[authority.index(after: $0)...]) }) ?? defaultPort, (1...65535).contains(port) else {
            throw Problem(description: "the URL's port is not a number from 1 to 65535")
        }
        self.parts = parts
        self.scheme = scheme
        self.authority = authority
        self.host = host
        self.port = port
    }

    private static func source(_ name: String) throws(Problem) -> HTTPValueSource {
        func isName(_ text: Substring) -> Bool {
            guard let first = text.first, first == "_" || first.isASCII && first.isLetter else { return false }
            return text.allSatisfy { $0 == "_" || $0.isASCII && ($0.isLetter || $0.isNumber) }
        }
        if name == "identity" { return .identity }
        if name.hasPrefix("parent."), isName(name.dropFirst("parent.".count)) { return .parent(String(name.dropFirst("parent.".count))) }
        if isName(Substring(name)) { return .argument(name) }
        throw Problem(description: "{\(name)} is not a placeholder: write {argument}, {parent.field} or {identity}")
    }

    /// Why a value cannot stand in its place.
    enum Refusal: Error, Equatable {
        /// The placeholder has no value (a null or absent argument, a parent without the member).
        case noValue(HTTPValueSource)
        /// A path value that is empty, `.` or `..`, or holds `/`, `\` or `%`: a server that decodes the path
        /// before routing it would read another path.
        case notOneSegment(HTTPValueSource)
    }

    /// The URL with each placeholder replaced by its value, percent-encoded.
    func render(_ value: (HTTPValueSource) -> String?) throws(Refusal) -> String {
        var url = ""
        for part in parts {
            switch part {
            case .text(let text):
                url += text
            case .value(let source, let inPath):
                guard let text = value(source) else { throw .noValue(source) }
                if inPath, text.isEmpty || text == "." || text == ".." || text.contains(where: { "/\\%".contains($0) }) {
                    throw .notOneSegment(source)
                }
                url += Self.percentEncoded(text)
            }
        }
        return url
    }

    /// Every byte but RFC 3986's unreserved characters, and `.`, as `%XX`.
    static func percentEncoded(_ text: String) -> String {
        var encoded = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "~"):
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let digits = Array("0123456789ABCDEF".unicodeScalars)
                encoded.unicodeScalars.append("%")
                encoded.unicodeScalars.append(digits[Int(byte >> 4)])
                encoded.unicodeScalars.append(digits[Int(byte & 0xF)])
            }
        }
        return encoded
    }
}
