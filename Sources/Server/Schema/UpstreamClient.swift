// SPDX-License-Identifier: Apache-2.0
import HTTPClient
import HTTPData
import Logging
import Synchronization

/// The HTTP client `@http` fields call through: made when the first schema with `@http` fields serves a call (it
/// runs an I/O thread, which a server without such fields does not need), then kept for the process.
final class UpstreamClient: Sendable {
    /// For schemas built without a server's own (tests, tools): the client's defaults.
    static let standard = UpstreamClient(configuration: HTTPDataConfiguration())

    private let configuration: HTTPClientConfiguration
    private let client = Mutex<HTTPClient?>(nil)

    init(configuration: HTTPDataConfiguration) {
        var client = HTTPClientConfiguration()
        client.maxResponseBytes = configuration.maxResponseBytes
        client.connectTimeout = min(client.connectTimeout, configuration.timeout)
        self.configuration = client
    }

    /// The client, made on first need.
    func get() -> HTTPClient {
        client.withLock { client in
            if let client { return client }
            let made = HTTPClient(configuration: configuration)
            client = made
            return made
        }
    }
}

extension HTTPFields.Environment {
    /// The environment of this server's requests: the identity and the call count of their `RequestContext`.
    static func server(configuration: HTTPDataConfiguration, client: UpstreamClient, logger: Logger) -> Self {
        Self(
            client: { client.get() },
            configuration: configuration,
            logger: logger,
            identity: SchemaLoader.identity,
            allowCall: { context in (context as? RequestContext)?.upstreamCalls.take(limit: configuration.maxCallsPerRequest) ?? true },
            requestID: { context in (context as? RequestContext)?.requestID ?? "-" }
        )
    }
}
