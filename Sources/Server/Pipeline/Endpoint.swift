// SPDX-License-Identifier: Apache-2.0

/// Where the API is mounted: the path nginx's `location` hands to the workers (`/graphql`, `/api/graphql`,
/// `/notes/graphql`). The explorer's files live under it (`<endpoint>/explorer/`), the operator's endpoints beside
/// it (`/api/ping` for `/api/graphql`; `/ping` for `/graphql`), so several APIs on one host each have their own.
public struct Endpoint: Sendable, Equatable, CustomStringConvertible {
    /// The path GraphQL is answered on.
    public let path: String
    /// The folder the endpoint is in, without the trailing slash (`""` for `/graphql`).
    public let base: String

    /// The usual endpoint, `/graphql`.
    public static let `default` = Endpoint(validated: "/graphql")
    /// What a valid endpoint looks like, for error messages.
    public static let expectedForm = "an absolute path such as /graphql or /api/graphql (letters, digits, - . _ ~ between slashes)"

    /// Nil unless `path` starts with `/`, has no empty, `.` or `..` segment, no trailing slash, and only unreserved
    /// URL characters: it is compared with nginx's `DOCUMENT_URI` byte for byte, and written into the explorer page.
    public init?(_ path: String) {
        guard path.hasPrefix("/"), path.utf8.count <= 256 else { return nil }
        let segments = path.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        for segment in segments {
            guard !segment.isEmpty, segment != ".", segment != "..", segment.utf8.allSatisfy(Self.isUnreserved) else { return nil }
        }
        self.init(validated: path)
    }

    private init(validated path: String) {
        self.path = path
        self.base = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
    }

    /// The path, e.g. `/api/graphql`.
    public var description: String { path }

    /// Where the explorer's files are served: `<endpoint>/explorer/`.
    public var explorerPrefix: String { path + "/explorer/" }

    /// The operator endpoint's name (`ping`, `metrics`…) when `requestPath` is one beside the endpoint.
    func operation(at requestPath: String) -> String? {
        let prefix = base + "/"
        guard requestPath.hasPrefix(prefix) else { return nil }
        return String(requestPath.dropFirst(prefix.count))
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"): true
        default: false
        }
    }
}
