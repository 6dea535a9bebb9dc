// SPDX-License-Identifier: Apache-2.0

/// An async HTTP/1.1 client over libcurl's multi interface.
///
/// All transfers run on one dedicated I/O thread; a caller suspends until its response arrives, so no thread of
/// Swift's cooperative pool (nor a FastCGI worker's executor) is ever blocked on the network. Connections are kept
/// and reused; every call has a connect timeout and a total deadline, and response bodies are capped.
public final class HTTPClient: Sendable {
    public let configuration: HTTPClientConfiguration
    private let multi: CurlMulti

    public init(configuration: HTTPClientConfiguration = .init()) {
        self.configuration = configuration
        self.multi = CurlMulti(configuration: configuration)
    }

    /// Performs `request`. Throws `HTTPClientError` when no complete response arrived in time.
    public func execute(_ request: HTTPClientRequest) async throws -> HTTPClientResponse {
        try await withCheckedThrowingContinuation { continuation in
            multi.submit(CurlTransfer(request: request, maxResponseBytes: configuration.maxResponseBytes, continuation: continuation))
        }
    }

    /// Fails the transfers in flight and stops the I/O thread.
    public func shutdown() { multi.shutdown() }
}
