// SPDX-License-Identifier: Apache-2.0

/// How `@http` fields call their services.
public struct HTTPDataConfiguration: Sendable, Equatable {
    /// Headers sent with every call to one host (`Authorization` for an internal service), never to another.
    public var headers: [HTTPUpstreamHeader] = []
    /// The deadline of one call, connection included; past it the field is `UPSTREAM_TIMEOUT`.
    public var timeout: Duration = .seconds(2)
    /// The largest response body read; a larger one is `UPSTREAM_INVALID_RESPONSE`.
    public var maxResponseBytes = 1 << 20
    /// Most `@http` calls one request may make (a list of 10,000 rows with an `@http` field each would make
    /// 10,000); past it the field is `DATA_LIMIT_EXCEEDED`.
    public var maxCallsPerRequest = 100

    /// The defaults: no headers, 2 s, 1 MiB, 100 calls.
    public init() {}
}

/// A header for the calls to one host: the setting `HOST[:PORT] Name: value` (`catalog.internal Authorization:
/// Bearer s3cret`). Without a port it goes to the host on its scheme's own port (80, 443); with one, to that port
/// only.
public struct HTTPUpstreamHeader: Sendable, Equatable {
    /// The host, lower-cased.
    public let host: String
    /// The port; nil for the URL scheme's own (80 for `http`, 443 for `https`).
    public let port: Int?
    /// The header's name.
    public let name: String
    /// Its value.
    public let value: String

    /// How the setting is written.
    public static let expectedForm = "HOST[:PORT] Name: value (a header for the @http calls to that host)"

    /// Nil unless `setting` is a host, a space, an HTTP token, `:` and a value without control characters.
    public init?(_ setting: String) {
        guard let space = setting.firstIndex(of: " "), let colon = setting[space...].firstIndex(of: ":") else { return nil }
        let authority = setting[..<space].lowercased()
        let portStart = authority.lastIndex(of: ":").flatMap { colon in authority.hasSuffix("]") ? nil : colon }
        let host = String(authority[..<(portStart ?? authority.endIndex)])
        let port = portStart.map { Int(authority[authority.index(after: $0)...]) }
        let name = setting[setting.index(after: space)..<colon].trimmingSpaces
        let value = setting[setting.index(after: colon)...].trimmingSpaces
        let token = Set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
        guard !host.isEmpty, port.map({ $0.map { (1...65535).contains($0) } ?? false }) ?? true, !name.isEmpty, name.allSatisfy(token.contains),
            !value.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\t" || $0.value == 0x7F })
        else { return nil }
        self.host = host
        self.port = port ?? nil
        self.name = name
        self.value = value
    }
}

extension Substring {
    fileprivate var trimmingSpaces: String {
        String(drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
    }
}

extension HTTPUpstreamHeader {
    /// Whether the calls of `template` carry this header: the same host, on the same port.
    func applies(to template: HTTPURLTemplate) -> Bool {
        host == template.host && (port ?? (template.scheme == "https" ? 443 : 80)) == template.port
    }
}
