// SPDX-License-Identifier: Apache-2.0

/// The parts of an HTTP request that GraphQL over HTTP looks at, whatever the transport.
public struct HTTPRequest: Sendable {
    /// The HTTP method; GraphQL over HTTP serves `GET` and `POST`.
    public var method: String
    /// The raw URL query string, without the leading `?`.
    public var queryString: String
    /// The `Content-Type` header, or nil when there is none.
    public var contentType: String?
    /// The `Accept` header, or nil when there is none (then JSON is answered).
    public var accept: String?
    /// The request body; empty when there is none or the transport discarded it.
    public var body: [UInt8]
    /// The transport discarded a body larger than its limit.
    public var bodyExceededLimit: Bool

    /// A request; everything but the method defaults to empty, and `bodyExceededLimit` to false.
    public init(
        method: String,
        queryString: String = "",
        contentType: String? = nil,
        accept: String? = nil,
        body: [UInt8] = [],
        bodyExceededLimit: Bool = false
    ) {
        self.method = method
        self.queryString = queryString
        self.contentType = contentType
        self.accept = accept
        self.body = body
        self.bodyExceededLimit = bodyExceededLimit
    }
}

/// An HTTP response produced by the GraphQL-over-HTTP layer.
public struct HTTPResponse: Sendable {
    /// The HTTP status code.
    public var status: Int
    /// The response headers as name-value pairs, in the order they are sent.
    public var headers: [(name: String, value: String)]
    /// The response body (JSON for a GraphQL answer).
    public var body: [UInt8]
    /// What ran, for the access and slow logs; nil when the request never reached an operation.
    public var operation: OperationSummary?

    /// A response, without an operation summary.
    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The value of the first header called `name` (compared case-insensitively), or nil.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// The operation a request ran, as the logs name it.
public struct OperationSummary: Sendable, Equatable {
    /// The operation's name, or nil for an anonymous one.
    public var name: String?
    /// `query`, `mutation`, `subscription`, or `batch`.
    public var type: String
    /// The document text, so a slow request can be logged with its hash (computed only then).
    public var query: String

    /// A summary of the operation `name` (nil if anonymous) of type `type`, with its document text.
    public init(name: String?, type: String, query: String) {
        self.name = name
        self.type = type
        self.query = query
    }
}
