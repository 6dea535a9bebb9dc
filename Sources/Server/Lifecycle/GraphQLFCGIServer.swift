// SPDX-License-Identifier: Apache-2.0
import FastCGI
import GraphQLHTTP
import HTTPClient
import Foundation
import Kratos
public import Logging

/// One graphql-fcgi process: loads the schema, starts the worker pool, and runs until SIGTERM or SIGINT, then drains.
public struct GraphQLFCGIServer {
    public let configuration: ServerConfiguration
    public let resolvers: ResolverRegistry
    private let logger: Logger

    public init(configuration: ServerConfiguration, resolvers: ResolverRegistry = .builtIn, logger: Logger) {
        self.configuration = configuration
        self.resolvers = resolvers
        self.logger = logger
    }

    /// Runs until told to stop. Returns normally after a drain; throws if the server cannot start.
    public func run() throws {
        // Before any thread exists, so every thread inherits the mask and only `ProcessSignals.next()` sees them.
        ProcessSignals.block()

        guard configuration.kratos.adminURLIsLoopback else {
            throw StartupError(description: "the Kratos admin URL \(configuration.kratos.adminURL) is not a loopback address")
        }
        let handler = try loadGraphQLHandler()
        let kratos = KratosClient(configuration: configuration.kratos, http: HTTPClient(configuration: configuration.kratosHTTP))
        let accounts = Accounts(
            kratos: kratos,
            sessions: SessionCache(timeToLive: configuration.sessionCacheTTL, maxEntries: configuration.sessionCacheEntries),
            throttle: SignInThrottle(configuration: configuration.throttle),
            logger: logger
        )
        logger.info("Kratos", metadata: ["public_url": "\(configuration.kratos.publicURL)"])
        var explorer: ExplorerAssets?
        if let directory = configuration.explorerDirectory {
            do {
                explorer = try ExplorerAssets.load(directory: directory)
            } catch {
                throw StartupError(description: "cannot load the explorer from \(directory): \(error.localizedDescription)")
            }
        }
        let pipeline = RequestPipeline(
            graphQL: handler,
            accounts: accounts,
            explorer: explorer,
            trustedProxies: configuration.trustedProxies
        )

        guard let address = configuration.listen ?? ListenAddress.inherited(environment: ProcessInfoEnvironment.current, processID: ProcessInfoEnvironment.processID)
        else {
            throw StartupError(description: "no socket to listen on: pass --listen PATH, or start under systemd or spawn-fcgi")
        }
        let pool = try WorkerPool(address: address, configuration: configuration.workers, logger: logger)
        pool.start { pipeline.makeThreadHandler() }

        while true {
            switch ProcessSignals.next() {
            case .hangUp:
                reload(into: pipeline.handlers)
            case .terminate, .interrupt:
                logger.info("draining", metadata: ["grace_period": "\(configuration.gracePeriod)"])
                _ = pool.drain(gracePeriod: configuration.gracePeriod)
                return
            }
        }
    }
}

extension GraphQLFCGIServer {
    /// Loads the SDL and binds the resolvers into a handler ready to serve.
    func loadGraphQLHandler() throws -> GraphQLHTTPHandler {
        let schema = try SchemaLoader.load(
            path: configuration.schemaPath,
            resolvers: resolvers,
            authGuard: { context in _ = try await RequestContext.of(context).requireSession() }
        )
        logger.info("schema loaded", metadata: ["path": "\(configuration.schemaPath)"])
        return GraphQLHTTPHandler(schema: schema, configuration: configuration.graphQL, logger: logger)
    }

    /// SIGHUP: the SDL is read again and, when it loads, replaces the schema for the next requests; requests in
    /// flight finish on the old one. A schema that does not load is logged and the old one keeps serving.
    func reload(into handlers: GraphQLHandlerSwitch) {
        do {
            handlers.replace(with: try loadGraphQLHandler())
            logger.notice("reloaded", metadata: ["schema": "\(configuration.schemaPath)"])
        } catch {
            logger.error(
                "reload failed; the previous schema keeps serving",
                metadata: ["schema": "\(configuration.schemaPath)", "error": "\(error)"]
            )
        }
    }
}

/// A startup failure with a message for the operator.
public struct StartupError: Error, CustomStringConvertible {
    public let description: String
}
