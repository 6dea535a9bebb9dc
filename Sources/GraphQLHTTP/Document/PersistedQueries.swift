// SPDX-License-Identifier: Apache-2.0
import Foundation
import GraphQL
import OrderedCollections
import GraphQLEngine

/// Persisted queries, two ways:
/// - automatic (APQ, the `persistedQuery` extension of Apollo clients): a client sends the SHA-256 of its query;
///   an unknown hash gets `PERSISTED_QUERY_NOT_FOUND`, and the client sends the text with the hash once, which is
///   kept (in a bounded LRU) for later requests;
/// - allowlist: only the operations of a manifest file run (by hash, or by a text whose hash is listed); anything
///   else gets `PERSISTED_QUERY_NOT_ALLOWED`. The strongest defence against hostile queries for first-party clients.
public final class PersistedQueries: Sendable {
    /// `automatic` (APQ), or `allowlist` with its manifest: query texts by SHA-256 hash, in lower-case hex.
    public enum Mode: Sendable {
        case automatic
        case allowlist([String: String])
    }

    /// `extensions.code` for a hash unknown to the APQ store.
    public static let notFoundCode = ErrorCode.persistedQueryNotFound
    /// `extensions.code` for an operation outside the allowlist.
    public static let notAllowedCode = ErrorCode.persistedQueryNotAllowed
    /// `extensions.code` for a query text whose SHA-256 is not the hash sent with it.
    public static let hashMismatchCode = ErrorCode.persistedQueryHashMismatch

    private let mode: Mode
    private let registered: LRUCache<String>

    /// Persisted queries in `mode`. APQ keeps up to `maxEntries` queries, least recently used out first;
    /// `maxQueryBytes` bounds the bytes of the texts (and their hashes) held, so that a client registering large
    /// distinct queries cannot grow a worker's memory past it.
    public init(mode: Mode, maxEntries: Int = 10_000, maxQueryBytes: Int = 8 << 20) {
        self.mode = mode
        self.registered = LRUCache(maxEntries: maxEntries, maxKeyBytes: maxQueryBytes)
    }

    /// The APQ store's counters and size (entries, bytes of the texts and hashes held).
    var statistics: LRUCache<String>.Statistics { registered.statistics }

    /// The query text to run, or the error to answer with.
    func resolve(_ parameters: GraphQLRequestParameters) -> Result<String, GraphQLError> {
        let hash = Self.hash(in: parameters.extensions)
        let text = parameters.query
        switch mode {
        case .allowlist(let manifest):
            if let hash {
                if let listed = manifest[hash] { return .success(listed) }
                return .failure(Self.error("This operation is not in the persisted-query allowlist", Self.notAllowedCode))
            }
            guard manifest[Self.sha256(text)] != nil else {
                return .failure(Self.error("Only operations of the persisted-query allowlist may run", Self.notAllowedCode))
            }
            return .success(text)
        case .automatic:
            guard let hash else { return .success(text) }
            if text.isEmpty {
                // The hash is the key; the text stored under it was checked against it when registered.
                guard let known = registered.value(forKey: hash) else {
                    return .failure(Self.error("PersistedQueryNotFound", Self.notFoundCode))
                }
                return .success(known)
            }
            guard Self.sha256(text) == hash else {
                return .failure(Self.error("The query does not match its sha256Hash", Self.hashMismatchCode))
            }
            registered.insert(text, forKey: hash, valueBytes: text.utf8.count)
            return .success(text)
        }
    }

    /// `extensions.persistedQuery.sha256Hash` (version 1), lower-cased.
    static func hash(in extensions: [String: Map]) -> String? {
        guard case .dictionary(let persisted)? = extensions["persistedQuery"],
            case .string(let hash)? = persisted["sha256Hash"], hash.utf8.count == 64
        else { return nil }
        return hash.lowercased()
    }

    static func sha256(_ text: String) -> String { SHA256Hex.of(text) }

    private static func error(_ message: String, _ code: String) -> GraphQLError {
        GraphQLError(message: message, extensions: ["code": .string(code)])
    }

    /// Reads an allowlist manifest: Apollo's format (`{"operations": [{"id", "body"}, …]}`) or a plain JSON object
    /// from SHA-256 hashes to query texts. Every entry's hash is checked against its text.
    public static func loadManifest(path: String) throws -> [String: String] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let json = try JSONParser.parse(Array(data), maxDepth: 16)
        var manifest: [String: String] = [:]
        switch json {
        case .dictionary(let object) where object["operations"] != nil:
            guard case .array(let operations)? = object["operations"] else { throw ManifestError("'operations' must be an array") }
            for case .dictionary(let operation) in operations {
                guard case .string(let body)? = operation["body"] else { throw ManifestError("an operation has no 'body'") }
                manifest[sha256(body)] = body
            }
        case .dictionary(let object):
            for (hash, value) in object {
                guard case .string(let body) = value, sha256(body) == hash.lowercased() else {
                    throw ManifestError("the entry \(hash) is not the SHA-256 of its query")
                }
                manifest[hash.lowercased()] = body
            }
        default:
            throw ManifestError("a manifest is a JSON object")
        }
        return manifest
    }

    /// Why a manifest was refused; a file that cannot be read or parsed throws its own error.
    public struct ManifestError: Error, CustomStringConvertible {
        /// What is wrong with the manifest, e.g. `'operations' must be an array`.
        public let description: String
        init(_ description: String) { self.description = description }
    }
}
