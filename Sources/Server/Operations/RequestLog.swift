// SPDX-License-Identifier: Apache-2.0
import GraphQLHTTP
public import Logging

/// The access log (one logfmt line per request on stderr, see `AccessLogWriter`) and the slow-request log
/// (swift-log, `warning`). Never a token, a cookie, a password or the query's variables: the operation is
/// named, and a slow one is identified by its query's hash.
public struct RequestLog: Sendable {
    /// What is logged; every property has a production default.
    public struct Configuration: Sendable, Equatable {
        /// One `info` line per request. Default true.
        public var accessLog = true
        /// Requests slower than this are logged at `warning` with the operation name and query hash. Default
        /// 1 s; nil switches the slow log off.
        public var slowRequestThreshold: Duration? = .seconds(1)
        /// Bytes of access-log lines a worker thread keeps before writing them itself; 0 writes every line at
        /// once. Default 64 KiB.
        public var accessLogBufferBytes = 64 << 10
        /// How often a flusher thread writes the buffered access-log lines (and a drain writes the rest): a crash
        /// loses the lines of this last interval at most. Default 5 ms.
        public var accessLogFlushInterval: Duration = .milliseconds(5)

        /// The production defaults.
        public init() {}
    }

    /// What this log writes.
    public let configuration: Configuration
    private let logger: Logger
    private let accessLog: AccessLogWriter

    /// Request logs as `configuration` says: the slow log through `logger`, the access log to stderr.
    public init(configuration: Configuration = .init(), logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.accessLog = AccessLogWriter(
            bufferBytes: configuration.accessLogBufferBytes,
            flushInterval: configuration.accessLogFlushInterval
        )
    }

    /// A buffer for the access-log lines of one worker thread.
    func makeThreadBuffer() -> AccessLogWriter.ThreadBuffer { accessLog.makeThreadBuffer() }

    /// Writes the access-log lines waiting in the buffer, if there is one.
    public func flush() {
        accessLog.flush()
    }

    struct Entry {
        var requestID: String
        var method: String
        var path: String
        var status: Int
        var bytes: Int
        var duration: Duration
        var operation: OperationSummary?
        var identityID: String?
    }

    /// Logs `entry` (into `buffer`, the calling thread's, when given); returns whether it was a slow request.
    @discardableResult
    func record(_ entry: Entry, buffer: AccessLogWriter.ThreadBuffer? = nil) -> Bool {
        let slow = configuration.slowRequestThreshold.map { entry.duration > $0 } ?? false
        if configuration.accessLog {
            accessLog.write([
                "level": "info",
                "msg": "request",
                "request_id": entry.requestID,
                "method": entry.method,
                "path": entry.path,
                "status": String(entry.status),
                "bytes": String(entry.bytes),
                "duration_ms": Self.milliseconds(entry.duration),
                "operation_type": entry.operation?.type ?? "-",
                "operation": entry.operation.map { $0.name ?? "-" } ?? "-",
                "identity": entry.identityID ?? "-",
            ], buffer: buffer)
        }
        guard slow else { return false }
        var metadata: Logger.Metadata = [
            "request_id": "\(entry.requestID)",
            "path": "\(entry.path)",
            "status": "\(entry.status)",
            "duration_ms": "\(Self.milliseconds(entry.duration))",
            "operation_type": "\(entry.operation?.type ?? "-")",
            "operation": "\(entry.operation.map { $0.name ?? "-" } ?? "-")",
        ]
        if let query = entry.operation?.query, !query.isEmpty {
            metadata["query_sha256"] = "\(SHA256Hex.of(query))"
        }
        logger.warning("slow request", metadata: metadata)
        return true
    }

    private static func milliseconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let micros = seconds * 1_000_000 + attoseconds / 1_000_000_000_000
        return "\(micros / 1000).\(String(repeating: "0", count: 3 - String(micros % 1000).count))\(micros % 1000)"
    }
}
