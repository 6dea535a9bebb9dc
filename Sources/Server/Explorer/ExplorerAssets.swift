// SPDX-License-Identifier: Apache-2.0
import Foundation
import GraphQLHTTP

/// The explorer page and its files, read once at startup from a directory and served from memory.
///
/// The worker serves them (rather than nginx from a second `location`) so that one switch, `--no-explorer`, turns
/// the whole explorer off, and the page and the API can never come from different versions.
public struct ExplorerAssets: Sendable {
    /// One file, held in memory with what its response headers need.
    public struct Asset: Sendable {
        /// The file's bytes.
        public let body: [UInt8]
        /// The `Content-Type` it is served with.
        public let contentType: String
        /// A strong ETag, quoted: the first 24 hex digits of the file's SHA-256.
        public let etag: String
    }

    /// The page, `index.html`.
    public let page: Asset
    /// Everything else, by file name (`explorer.js`, `explorer.css`, …).
    public let files: [String: Asset]

    /// Files the explorer may consist of; anything else in the directory is ignored.
    private static let contentTypes = [
        "js": "text/javascript; charset=utf-8",
        "css": "text/css; charset=utf-8",
        "svg": "image/svg+xml",
        "png": "image/png",
        "txt": "text/plain; charset=utf-8",
    ]

    /// Everything the page may load: its own files and the API, nothing else.
    public static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
        + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    /// The files of `directory`, the page's links to them pointed at `endpoint`'s explorer folder (the page names
    /// them under `/graphql/explorer/`).
    public static func load(directory: String, endpoint: Endpoint = .default) throws -> ExplorerAssets {
        let folder = URL(fileURLWithPath: directory, isDirectory: true)
        let html = try String(decoding: Data(contentsOf: folder.appendingPathComponent("index.html")), as: UTF8.self)
        let linked = html.replacingOccurrences(of: "\"" + Endpoint.default.explorerPrefix, with: "\"" + endpoint.explorerPrefix)
        let page = asset(Data(linked.utf8), "text/html; charset=utf-8")
        var files: [String: Asset] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) {
            let fileExtension = (name as NSString).pathExtension
            guard let contentType = contentTypes[fileExtension], !name.hasPrefix(".") else { continue }
            files[name] = try asset(Data(contentsOf: folder.appendingPathComponent(name)), contentType)
        }
        return ExplorerAssets(page: page, files: files)
    }

    private static func asset(_ data: Data, _ contentType: String) -> Asset {
        Asset(body: Array(data), contentType: contentType, etag: "\"\(SHA256Hex.of(data).prefix(24))\"")
    }
}
