// SPDX-License-Identifier: Apache-2.0
import CHiredis
import Foundation

/// Where a Redis-protocol server listens: `redis://[[user]:password@]host[:port][/database]`.
public struct RedisEndpoint: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var user: String?
    public var password: String?
    public var database: Int

    /// Parses a `redis://` URL; nil for anything else.
    public init?(url: String) {
        guard url.hasPrefix("redis://") else { return nil }
        var rest = Substring(url.dropFirst("redis://".count))
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            rest = rest[rest.index(after: at)...]
            let parts = credentials.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            user = parts[0].isEmpty ? nil : String(parts[0])
            password = parts.count > 1 ? String(parts[1]).removingPercentEncoding : nil
        }
        var database = 0
        if let slash = rest.firstIndex(of: "/") {
            let path = rest[rest.index(after: slash)...]
            guard path.isEmpty || Int(path) != nil else { return nil }
            database = Int(path) ?? 0
            rest = rest[..<slash]
        }
        var host = String(rest)
        var port = 6379
        if let colon = rest.lastIndex(of: ":"), !rest.hasSuffix("]") {
            guard let given = Int(rest[rest.index(after: colon)...]), (1...65535).contains(given) else { return nil }
            port = given
            host = String(rest[..<colon])
        }
        host = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        guard !host.isEmpty, database >= 0 else { return nil }
        self.host = host
        self.port = port
        self.database = database
    }

    /// For logs: the URL without its password.
    public var redacted: String { "redis://\(password == nil ? "" : "***@")\(host):\(port)/\(database)" }
}

/// One connection to a Redis-protocol server through hiredis, with a timeout on every read and write. Not
/// thread-safe: its owner serialises the calls. After any failure the connection is dropped and made again on the
/// next command.
final class RedisConnection {
    enum Reply: Equatable {
        case string(String)
        case integer(Int64)
        case array([Reply])
        case null
        case status(String)
    }

    let endpoint: RedisEndpoint
    private let timeout: timeval
    private var context: UnsafeMutablePointer<redisContext>?

    init(endpoint: RedisEndpoint, timeout: Duration) {
        self.endpoint = endpoint
        let milliseconds = SharedMemoryState.milliseconds(timeout)
        self.timeout = timeval(tv_sec: Int(milliseconds / 1000), tv_usec: Int(milliseconds % 1000) * 1000)
    }

    deinit { disconnect() }

    var isConnected: Bool { context != nil }

    /// Runs one command; a Redis error reply or a transport failure throws (the latter also disconnects).
    func command(_ arguments: [String]) throws(SharedStateError) -> Reply {
        if context == nil { try connect() }
        return try send(arguments)
    }

    func disconnect() {
        if let context { redisFree(context) }
        context = nil
    }

    private func connect() throws(SharedStateError) {
        guard let made = redisConnectWithTimeout(endpoint.host, Int32(endpoint.port), timeout) else {
            throw SharedStateError("Redis \(endpoint.redacted): cannot allocate a connection")
        }
        guard made.pointee.err == 0 else {
            let reason = Self.errorText(made)
            redisFree(made)
            throw SharedStateError("Redis \(endpoint.redacted): \(reason)")
        }
        _ = redisSetTimeout(made, timeout)
        context = made
        if let password = endpoint.password {
            _ = try send(endpoint.user.map { ["AUTH", $0, password] } ?? ["AUTH", password])
        }
        if endpoint.database != 0 { _ = try send(["SELECT", String(endpoint.database)]) }
    }

    private func send(_ arguments: [String]) throws(SharedStateError) -> Reply {
        guard let context else { throw SharedStateError("Redis \(endpoint.redacted): not connected") }
        let strings = arguments.map { strdup($0) }
        defer { strings.forEach { free($0) } }
        let lengths = arguments.map { $0.utf8.count }
        let raw = strings.map { UnsafePointer($0) }
        let reply = raw.withUnsafeBufferPointer { argv in
            lengths.withUnsafeBufferPointer { lengths in
                redisCommandArgv(context, Int32(arguments.count), UnsafeMutablePointer(mutating: argv.baseAddress), lengths.baseAddress)
            }
        }
        guard let reply else {
            let reason = Self.errorText(context)
            disconnect()
            throw SharedStateError("Redis \(endpoint.redacted): \(reason)")
        }
        defer { freeReplyObject(reply) }
        let pointer = reply.assumingMemoryBound(to: redisReply.self)
        if pointer.pointee.type == REDIS_REPLY_ERROR {
            throw SharedStateError("Redis \(endpoint.redacted) refused \(arguments.first ?? ""): \(Self.text(pointer))")
        }
        return Self.convert(pointer)
    }

    private static func convert(_ reply: UnsafeMutablePointer<redisReply>) -> Reply {
        switch reply.pointee.type {
        case REDIS_REPLY_STRING: return .string(text(reply))
        case REDIS_REPLY_STATUS: return .status(text(reply))
        case REDIS_REPLY_INTEGER: return .integer(reply.pointee.integer)
        case REDIS_REPLY_ARRAY:
            let count = reply.pointee.elements
            return .array((0..<count).compactMap { reply.pointee.element[$0].map(convert) })
        default: return .null
        }
    }

    private static func text(_ reply: UnsafeMutablePointer<redisReply>) -> String {
        guard let bytes = reply.pointee.str else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: bytes, count: reply.pointee.len), as: UTF8.self)
    }

    private static func errorText(_ context: UnsafeMutablePointer<redisContext>) -> String {
        withUnsafeBytes(of: context.pointee.errstr) { buffer in
            String(decoding: buffer.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}
