// SPDX-License-Identifier: Apache-2.0

/// The parts of an HTTP request that GraphQL over HTTP looks at, whatever the transport.
public struct HTTPRequest: Sendable {
    public var method: String
    /// The raw URL query string, without the leading `?`.
    public var queryString: String
    public var contentType: String?
    public var accept: String?
    public var body: [UInt8]
    /// The transport discarded a body larger than its limit.
    public var bodyExceededLimit: Bool

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
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// What ran, for the access and slow logs; nil when the request never reached an operation.
    public var operation: OperationSummary?

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

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

    public init(name: String?, type: String, query: String) {
        self.name = name
        self.type = type
        self.query = query
    }
}
