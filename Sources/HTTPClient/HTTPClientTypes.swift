// SPDX-License-Identifier: Apache-2.0

/// Settings of an `HTTPClient`. Defaults suit a call to a service on the same host or network.
public struct HTTPClientConfiguration: Sendable {
    /// Time to establish a TCP connection. Default 1 s.
    public var connectTimeout: Duration = .seconds(1)
    /// Largest response body accepted; a larger one fails the call with `.responseTooLarge`. Default 1 MiB.
    public var maxResponseBytes: Int = 1 << 20
    /// Connections kept open per host for reuse. Default 64 (one per worker thread that may call at once).
    public var maxConnectionsPerHost: Int = 64

    public init() {}
}

/// One HTTP request. `timeout` is the total deadline, connection included.
public struct HTTPClientRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]?
    public var timeout: Duration

    public init(
        method: String = "GET",
        url: String,
        headers: [(name: String, value: String)] = [],
        body: [UInt8]? = nil,
        timeout: Duration = .seconds(5)
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }
}

/// A complete response. Header names are lower-cased.
public struct HTTPClientResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name == wanted }?.value
    }
}

/// Why a call failed before a response arrived. `description` is safe to log; it never contains the request's
/// headers or body.
public struct HTTPClientError: Error, Equatable, CustomStringConvertible, Sendable {
    public enum Code: String, Sendable {
        /// The connection could not be made (refused, unreachable, connect timeout).
        case connectFailed
        /// The total deadline passed.
        case timedOut
        /// The response body was larger than `maxResponseBytes`.
        case responseTooLarge
        /// Any other transport failure (reset, malformed response, …).
        case transport
        /// The client was shut down.
        case shutdown
    }

    public let code: Code
    public let detail: String

    public init(_ code: Code, _ detail: String = "") {
        self.code = code
        self.detail = detail
    }

    public var description: String { detail.isEmpty ? "HTTPClientError.\(code.rawValue)" : "HTTPClientError.\(code.rawValue): \(detail)" }
}
