// SPDX-License-Identifier: Apache-2.0
import FastCGI
import GraphQLHTTP
import HTTPClient
import Foundation
import Kratos
public import Logging
import SharedState

/// One graphql-fcgi process: loads the schema, starts the worker pool, and runs until SIGTERM or SIGINT, then drains.
public struct GraphQLFCGIServer {
    /// The settings the process starts with.
    public let configuration: ServerConfiguration
    /// The resolvers bound to the schema at startup and again at each SIGHUP reload.
    public let resolvers: ResolverRegistry
    private let logger: Logger
    private let databases = OpenDatabases()
    private let upstreamClient: UpstreamClient

    /// The metrics backend's renderer for `/metrics` (set up by the executable); nil: no `/metrics`.
    public let renderMetrics: (@Sendable () -> [UInt8])?
    /// Reads the configuration again for SIGHUP (file, environment, flags); nil reloads the SDL only.
    public let reloadConfiguration: (@Sendable () throws -> ServerConfiguration)?

    /// A server, not yet started (see `run()`); without `resolvers`, those of the default schema (`.builtIn`).
    public init(
        configuration: ServerConfiguration,
        resolvers: ResolverRegistry = .builtIn,
        logger: Logger,
        reloadConfiguration: (@Sendable () throws -> ServerConfiguration)? = nil,
        renderMetrics: (@Sendable () -> [UInt8])? = nil
    ) {
        self.renderMetrics = renderMetrics
        self.configuration = configuration
        self.resolvers = resolvers
        self.logger = logger
        self.reloadConfiguration = reloadConfiguration
        self.upstreamClient = UpstreamClient(configuration: configuration.httpData)
    }

    /// Runs until told to stop. Returns normally after a drain; throws if the server cannot start.
    public func run() throws {
        // Before any thread exists, so every thread inherits the mask and only `ProcessSignals.next()` sees them.
        ProcessSignals.block()

        try checkKratosAdminURL()
        let handler = try loadGraphQLHandler(configuration)
        guard let address = configuration.listen ?? ListenAddress.inherited(environment: ProcessInfoEnvironment.current, processID: ProcessInfoEnvironment.processID)
        else {
            throw StartupError(description: "no socket to listen on: pass --listen PATH, or start under systemd or spawn-fcgi")
        }
        let state = try openSharedState()
        let metrics = renderMetrics.map(ServerMetrics.init(render:))
        let kratos = KratosClient(
            configuration: configuration.kratos,
            http: HTTPClient(configuration: configuration.kratosHTTP),
            observe: metrics?.record
        )
        let accounts = Accounts(
            kratos: kratos,
            sessions: SessionCache(timeToLive: configuration.sessionCacheTTL, maxEntries: configuration.sessionCacheEntries, state: state),
            throttle: SignInThrottle(
                configuration: configuration.throttle,
                state: state,
                failed: Accounts.sharedStateFailureReporter(logger: logger, metrics: metrics)
            ),
            logger: logger,
            metrics: metrics
        )
        logger.info("Kratos", metadata: ["public_url": "\(configuration.kratos.publicURL)"])
        logger.info("shared state", metadata: ["location": "\(configuration.sharedState)"])
        let pipeline = RequestPipeline(
            graphQL: handler,
            accounts: accounts,
            explorer: try loadExplorer(),
            endpoint: configuration.endpoint,
            trustedProxies: configuration.trustedProxies,
            requestLog: RequestLog(configuration: configuration.requestLog, logger: logger),
            metrics: metrics
        )

        let pool = try WorkerPool(address: address, configuration: configuration.workers, logger: logger)
        pipeline.status.attach(pool)  // before the first request can ask /status
        pool.start { pipeline.makeThreadHandler() }
        supervise(pool: pool, pipeline: pipeline)
    }

    /// The main thread's loop: control signals, and once a tick systemd's watchdog and status and the recycling
    /// checks. Returns after a drain.
    private func supervise(pool: WorkerPool, pipeline: RequestPipeline) {
        let systemd = SystemdNotify(environment: ProcessInfoEnvironment.current)
        systemd.send("READY=1\nSTATUS=Ready: \(pipeline.status.summary)")
        let tick = min(systemd.watchdogInterval ?? .seconds(1), .seconds(1))
        while true {
            let reason: String
            switch ProcessSignals.next(timeout: tick) {
            case .hangUp?:
                systemd.send("RELOADING=1")
                reload(into: pipeline.handlers, status: pipeline.status)
                systemd.send("READY=1")
                continue
            case .terminate?, .interrupt?:
                reason = "told to stop"
            case nil:
                pipeline.requestLog?.flush()
                if systemd.watchdogInterval != nil { systemd.send("WATCHDOG=1") }
                systemd.send("STATUS=Ready: \(pipeline.status.summary)")
                guard
                    let recycle = configuration.recycling.reason(
                        requestsServed: pipeline.status.requestsServed,
                        residentBytes: configuration.recycling.maxResidentBytes == nil ? nil : ProcessMemory.residentBytes()
                    )
                else { continue }
                logger.notice("recycling", metadata: ["reason": "\(recycle)"])
                reason = recycle
            }
            systemd.send("STOPPING=1\nSTATUS=Draining: \(reason)")
            logger.info("draining", metadata: ["grace_period": "\(configuration.gracePeriod)", "reason": "\(reason)"])
            _ = pool.drain(gracePeriod: configuration.gracePeriod)
            pipeline.requestLog?.flush()
            return
        }
    }
}

extension GraphQLFCGIServer {
    /// The shared security state. An invalidation must outlive every answer it concerns: an answer is cached for
    /// the TTL from when its whoami returned, which is at most the Kratos deadline after its position was read.
    func openSharedState() throws -> any SecurityState {
        let retention = configuration.sessionCacheTTL + configuration.kratos.requestTimeout + .seconds(1)
        do {
            return try configuration.sharedState.open(retention: retention)
        } catch {
            throw StartupError(description: "\(error) (set shared-state, or create its directory writable by every instance)")
        }
    }

    /// What would stop `run()` from starting, without starting anything: the Kratos admin URL, the SDL and its
    /// resolver bindings, the explorer's files. `graphql-fcgi check-config` reports these.
    public func check() -> [String] {
        var problems: [String] = []
        let loadSchema = {
            _ = try SchemaLoader.load(
                path: configuration.schemaPath,
                resolvers: resolvers,
                database: try databases.database(configuration.dataSource, limits: configuration.sqlLimits),
                http: .server(configuration: configuration.httpData, client: upstreamClient, logger: logger)
            )
        }
        for step in [checkKratosAdminURL, loadSchema, { _ = try loadExplorer() }] {
            do {
                try step()
            } catch {
                problems.append("\(error)")
            }
        }
        return problems
    }

    private func checkKratosAdminURL() throws {
        guard configuration.kratos.adminURLIsLoopback else {
            throw StartupError(description: "the Kratos admin URL \(configuration.kratos.adminURL) is not a loopback address")
        }
    }

    /// The explorer's files, or nil when it is switched off.
    private func loadExplorer() throws -> ExplorerAssets? {
        guard let directory = configuration.explorerDirectory else { return nil }
        do {
            return try ExplorerAssets.load(directory: directory, endpoint: configuration.endpoint)
        } catch {
            throw StartupError(description: "cannot load the explorer from \(directory): \(error.localizedDescription)")
        }
    }

    /// Loads the SDL and binds the resolvers into a handler ready to serve, with `settings`' GraphQL settings.
    func loadGraphQLHandler(_ settings: ServerConfiguration) throws -> GraphQLHTTPHandler {
        let loaded = try SchemaLoader.load(
            path: settings.schemaPath,
            resolvers: resolvers,
            authGuard: { context in _ = try await RequestContext.of(context).requireSession() },
            secondFactorGuard: { context in
                guard try await RequestContext.of(context).requireSession().authenticatorAssuranceLevel == "aal2" else {
                    throw AccountErrors.secondFactorRequired()
                }
            },
            database: try databases.database(settings.dataSource, limits: settings.sqlLimits),
            http: .server(configuration: settings.httpData, client: upstreamClient, logger: logger)
        )
        logger.info("schema loaded", metadata: ["path": "\(settings.schemaPath)"])
        return GraphQLHTTPHandler(schema: loaded.schema, resolvers: loaded.resolvers, configuration: settings.graphQL, logger: logger)
    }

    /// SIGHUP: the configuration (when it can be re-read) and the SDL are loaded again and, when both load,
    /// replace the schema and the GraphQL settings for the next requests; requests in flight finish on the old
    /// ones. Anything that does not load is logged and the old schema and settings keep serving. Other settings
    /// (sockets, threads, Kratos, throttle, logs, recycling) apply at the next restart.
    func reload(into handlers: GraphQLHandlerSwitch, status: ServerStatus) {
        do {
            var settings = configuration
            if let reloadConfiguration {
                let reloaded = try reloadConfiguration()
                settings.schemaPath = reloaded.schemaPath
                settings.dataSource = reloaded.dataSource
                settings.graphQL = reloaded.graphQL
                settings.allowBreakingReload = reloaded.allowBreakingReload
            }
            let handler = try loadGraphQLHandler(settings)
            let refused = handler.allowlistedOperationsRefused()
            if !refused.isEmpty {
                let operations = refused.map { "\($0.hash.prefix(12)): \($0.errors.joined(separator: "; "))" }.joined(separator: " | ")
                guard settings.allowBreakingReload else {
                    logger.error(
                        "reload refused: the new schema refuses allowlisted operations; the previous schema keeps serving",
                        metadata: ["operations": "\(operations)", "override": "allow-breaking-reload"]
                    )
                    return
                }
                logger.warning("reloading although the new schema refuses allowlisted operations", metadata: ["operations": "\(operations)"])
            }
            handlers.replace(with: handler)
            status.recordReload()
            logger.notice(
                "reloaded",
                metadata: ["schema": "\(settings.schemaPath)", "note": "settings other than the schema and GraphQL's apply at the next restart"]
            )
        } catch {
            logger.error("reload failed; the previous schema and settings keep serving", metadata: ["error": "\(error)"])
        }
    }
}

/// A startup failure with a message for the operator.
public struct StartupError: Error, CustomStringConvertible {
    /// What went wrong, for the operator.
    public let description: String

    /// A startup failure saying `description`.
    public init(description: String) {
        self.description = description
    }
}
