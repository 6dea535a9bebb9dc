// SPDX-License-Identifier: Apache-2.0

/// One request as nginx passed it: the CGI parameters and the body, read in full before the handler runs.
public struct FastCGIRequest: Sendable {
    /// CGI/FastCGI parameters (`REQUEST_METHOD`, `QUERY_STRING`, `CONTENT_TYPE`, `HTTP_ACCEPT`, …).
    public var parameters: [String: String]
    /// The request body; empty when it was larger than the configured limit.
    public var body: [UInt8]
    /// True when the body was larger than `WorkerPool.Configuration.maxBodyBytes` and was discarded.
    public var bodyExceededLimit: Bool

    public init(parameters: [String: String], body: [UInt8] = [], bodyExceededLimit: Bool = false) {
        self.parameters = parameters
        self.body = body
        self.bodyExceededLimit = bodyExceededLimit
    }

    public subscript(parameter name: String) -> String? { parameters[name] }
}
