// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import FastCGI
import GraphQLHTTP
import HTTPClient
import HTTPData
import Kratos
import Logging
import Server
import SharedState
import SQLite

/// Every setting of a worker process, as flags. The configuration file and `GRAPHQL_FCGI_*` variables are turned
/// into these same flags before parsing (see `ConfigurationSources`), so one set of names and checks serves all three.
struct ServeOptions: ParsableArguments {
    @Option(help: "Configuration file (YAML); default /etc/graphql-fcgi/graphql-fcgi.yaml when it exists, or the --instance's. Flags override it.")
    var config: String?

    @Option(help: "The systemd instance (%i): blog or blog-2 reads /etc/graphql-fcgi/blog.yaml; a number, the default file.")
    var instance: String?

    @Option(help: "Unix socket path to listen on. Without it, an inherited socket is used (systemd, spawn-fcgi).")
    var listen: String?

    @Option(help: "Permissions of the socket created by --listen, in octal.")
    var socketMode: String = "660"

    @Option(help: "Owner of the socket created by --listen (a user name or uid).")
    var socketUser: String?

    @Option(help: "Group of the socket created by --listen (a group name or gid), e.g. www-data for nginx.")
    var socketGroup: String?

    @Option(help: "The path the API answers on: nginx's location (/api/graphql); the explorer is under it, /ping, /status and the other operator paths beside it.")
    var endpoint: String = Endpoint.default.path

    @Option(help: "Where @sql fields read and write: sqlite:PATH (a database file, created when missing) or postgresql://USER:PASSWORD@HOST:PORT/DATABASE.")
    var database: String?

    @Option(help: "Most rows one @sql statement may return (more: DATA_LIMIT_EXCEEDED).")
    var sqlMaxRows: Int = ServerConfiguration().sqlLimits.maxRows

    @Option(help: "Milliseconds one @sql statement may run before it is interrupted (DATA_LIMIT_EXCEEDED).")
    var sqlTimeLimitMs: Int = Defaults.milliseconds(ServerConfiguration().sqlLimits.timeLimit)

    @Option(help: "A header for the @http calls to one host: \"HOST[:PORT] Name: value\" (never sent to another host); repeatable.")
    var httpHeader: [String] = []

    @Option(help: "Milliseconds one @http call may take, connection included (past it: UPSTREAM_TIMEOUT).")
    var httpTimeoutMs: Int = Defaults.milliseconds(HTTPDataConfiguration().timeout)

    @Option(help: "Largest @http response body read, in bytes (larger: UPSTREAM_INVALID_RESPONSE).")
    var httpMaxResponseBytes: Int = HTTPDataConfiguration().maxResponseBytes

    @Option(help: "Most @http calls one request may make (more: DATA_LIMIT_EXCEEDED).")
    var httpMaxCallsPerRequest: Int = HTTPDataConfiguration().maxCallsPerRequest

    @Option(help: "The SDL schema file.")
    var schema: String = ServerConfiguration().schemaPath

    @Option(help: "Worker threads: the most requests served at once, those waiting on Kratos, a database or an upstream included.")
    var threads: Int = WorkerPool.Configuration().threadCount

    @Option(help: "Threads serving at once while none waits (default: the number of cores); more, up to --threads, are let in while some wait on Kratos, a database or an upstream.")
    var concurrency: Int = WorkerPool.Configuration().concurrency

    @Option(help: "Largest request body in bytes; larger ones get 413.")
    var maxBodyBytes: Int = WorkerPool.Configuration().maxBodyBytes

    @Option(help: "Seconds SIGTERM waits for requests in flight.")
    var gracePeriod: Int = Defaults.seconds(ServerConfiguration().gracePeriod)

    @Option(help: "Status-code edition: compatible (graphql-http audit suite) or draft2026.")
    var statusCodes: String = GraphQLHTTPConfiguration.StatusCodePolicy.compatible.rawValue

    @Option(help: "Executor: plan (operations compiled once per cached document) or reference (GraphQLSwift's execute).")
    var executor: String = GraphQLHTTPConfiguration.Executor.plan.rawValue

    @Option(help: "Deepest bracket nesting a document may have.")
    var maxDocumentNesting: Int = GraphQLHTTPConfiguration().maxDocumentNesting

    @Option(help: "Directory of the explorer page served to browsers at GET of the endpoint.")
    var explorerDir: String = ServerConfiguration().explorerDirectory ?? "explorer"

    @Flag(help: "Do not serve the explorer page (GET /graphql from a browser gets GraphQL-over-HTTP answers only).")
    var noExplorer = false

    enum Profile: String, ExpressibleByArgument, CaseIterable {
        case production, development
    }

    @Option(help: "production: introspection and \"Did you mean\" suggestions off. development: both on.")
    var profile: Profile = .production

    @Option(help: "Allowlist mode: only the operations of this manifest run (Apollo's persisted-query manifest, or a JSON object from SHA-256 hashes to queries).")
    var persistedQueriesManifest: String?

    @Flag(help: "Let SIGHUP load a schema that refuses operations of the persisted-query allowlist (refused by default).")
    var allowBreakingReload = false

    @Option(help: "Most tokens a document may have (checked before parsing).")
    var maxTokens: Int = QueryLimits().maxTokens

    @Option(help: "Deepest field nesting, through fragments.")
    var maxDepth: Int = QueryLimits().maxDepth

    @Option(help: "Most aliased fields in an operation.")
    var maxAliases: Int = QueryLimits().maxAliases

    @Option(help: "Most fields at the top of an operation.")
    var maxRootFields: Int = QueryLimits().maxRootFields

    @Option(help: "Most directives on one field.")
    var maxDirectives: Int = QueryLimits().maxDirectivesPerField

    @Option(help: "Most selections in an operation once its fragments are expanded (__typename included).")
    var maxSelections: Int = QueryLimits().maxSelections

    @Option(help: "Most operations in one batched POST (a JSON array); 0 turns batching off.")
    var maxBatchSize: Int = GraphQLHTTPConfiguration().maxBatchSize

    @Option(help: "Highest estimated cost of an operation (scalar 1, object 2, lists times their size).")
    var maxCost: Int = QueryLimits().maxCost

    @Option(help: "Size assumed for a list field without a first/last/limit/pageSize/take argument.")
    var defaultListSize: Int = CostWeights().defaultListSize

    @Flag(help: "Parse and validate every document again (to measure what the document cache saves).")
    var noDocumentCache = false

    @Option(help: "Kratos public API URL.")
    var kratosPublicUrl: String = KratosConfiguration().publicURL

    @Option(help: "Kratos admin API URL (loopback only).")
    var kratosAdminUrl: String = KratosConfiguration().adminURL

    @Option(help: "Kratos' TOTP issuer (kratos.yml: selfservice.methods.totp.config.issuer), for the otpauth:// URL setupTotp returns.")
    var kratosTotpIssuer: String = KratosConfiguration().totpIssuer

    @Option(help: "Total deadline of one Kratos call, in milliseconds.")
    var kratosTimeoutMs: Int = Defaults.milliseconds(KratosConfiguration().requestTimeout)

    @Option(help: "Connect timeout to Kratos, in milliseconds.")
    var kratosConnectTimeoutMs: Int = Defaults.milliseconds(HTTPClientConfiguration().connectTimeout)

    @Option(help: "Seconds a session checked with Kratos is trusted without asking again.")
    var sessionCacheTtl: Int = Defaults.seconds(ServerConfiguration().sessionCacheTTL)

    @Option(help: "Sessions kept in the session cache.")
    var sessionCacheEntries: Int = ServerConfiguration().sessionCacheEntries

    @Option(help: "Where every instance records ended sessions and counts sign-in attempts: shm:PATH (one host) or redis://[:password@]host[:port][/db] (several hosts).")
    var sharedState: String = SharedStateLocation.sharedMemory(path: SharedStateLocation.defaultPath).description

    @Option(help: "Failed logins of one identifier allowed per --login-failure-window; 0 turns this off.")
    var loginFailuresPerIdentifier: Int = SignInThrottle.Configuration().loginFailuresPerIdentifier.limit

    @Option(help: "Failed logins from one client address allowed per --login-failure-window; 0 turns this off.")
    var loginFailuresPerAddress: Int = SignInThrottle.Configuration().loginFailuresPerAddress.limit

    @Option(help: "Seconds over which failed logins are counted.")
    var loginFailureWindow: Int = Defaults.seconds(SignInThrottle.Configuration().loginFailuresPerIdentifier.window)

    @Option(help: "registerUser calls from one client address allowed per --registration-window; 0 turns this off.")
    var registrationsPerAddress: Int = SignInThrottle.Configuration().registrationsPerAddress.limit

    @Option(help: "Seconds over which registrations are counted.")
    var registrationWindow: Int = Defaults.seconds(SignInThrottle.Configuration().registrationsPerAddress.window)

    @Option(help: "A proxy in front of nginx (address or CIDR) whose X-Forwarded-For names the client; repeatable.")
    var trustedProxy: [String] = []

    @Flag(help: "Do not log a line per request.")
    var noAccessLog = false

    @Option(help: "KiB of access-log lines a worker thread keeps before writing them itself. 0: every line at once (one write per request).")
    var accessLogBufferKb: Int = RequestLog.Configuration().accessLogBufferBytes / 1024

    @Option(help: "Milliseconds between writes of the buffered access-log lines: a crash loses at most this last interval's lines.")
    var accessLogFlushMs: Int = Int(RequestLog.Configuration().accessLogFlushInterval.components.attoseconds / 1_000_000_000_000_000)

    @Option(help: "Log requests slower than this many milliseconds, with the operation and query hash; 0 turns it off.")
    var slowRequestMs: Int = RequestLog.Configuration().slowRequestThreshold.map(Defaults.milliseconds) ?? 0

    @Option(help: "Drain and exit (for systemd to start a fresh process) after this many requests; 0: never.")
    var maxRequests: Int = Recycling().maxRequests ?? 0

    @Option(help: "Drain and exit when resident memory passes this many MiB; 0: never.")
    var maxRssMb: Int = (Recycling().maxResidentBytes ?? 0) >> 20

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    /// The lowest value of each integer setting; the file and the environment are checked against the same table.
    static let minimums: [String: Int] = [
        "threads": 1, "concurrency": 1, "max-body-bytes": 1, "max-document-nesting": 1, "kratos-timeout-ms": 1, "kratos-connect-timeout-ms": 1,
        "session-cache-entries": 1, "login-failure-window": 1, "registration-window": 1, "sql-max-rows": 1, "sql-time-limit-ms": 1,
        "http-timeout-ms": 1, "http-max-response-bytes": 1, "http-max-calls-per-request": 1,
    ]

    /// The values each choice setting takes; the file and the environment are checked against the same table.
    static let choices: [String: [String]] = [
        "status-codes": GraphQLHTTPConfiguration.StatusCodePolicy.allCases.map(\.rawValue),
        "executor": GraphQLHTTPConfiguration.Executor.allCases.map(\.rawValue),
        "profile": Profile.allCases.map(\.rawValue),
        "log-level": Logger.Level.allCases.map(\.rawValue),
    ]

    /// Every value problem at once: serve refuses to start on them, check-config lists them with the schema's.
    func problems() -> [String] {
        var problems: [String] = []
        func require(_ condition: Bool, _ message: String) { if !condition { problems.append(message) } }
        for setting in SettingKeys.read(self) {
            switch setting.value {
            case .integer(let value):
                let minimum = Self.minimums[setting.key] ?? 0
                require(value >= minimum, "--\(setting.key) must be at least \(minimum)")
            case .text(let value):
                if let choices = Self.choices[setting.key] {
                    require(choices.contains(value), "--\(setting.key) must be one of \(choices.joined(separator: ", "))")
                }
            }
        }
        require(UInt32(socketMode, radix: 8) != nil, "--socket-mode must be octal, like 660")
        for proxy in trustedProxy where AddressRange(proxy) == nil {
            problems.append("--trusted-proxy \(proxy) is not an address or CIDR block")
        }
        if let database { require(DataSource(database) != nil, "--database must be \(DataSource.expectedForm)") }
        for header in httpHeader where HTTPUpstreamHeader(header) == nil {
            problems.append("--http-header \(header.prefix(while: { $0 != " " })) …: must be \(HTTPUpstreamHeader.expectedForm)")
        }
        require(Endpoint(endpoint) != nil, "--endpoint must be \(Endpoint.expectedForm)")
        require(SharedStateLocation(url: sharedState) != nil, "--shared-state must be \(SharedStateLocation.expectedForm)")
        return problems
    }

    /// The server configuration these options describe; throws what cannot be resolved (an unknown socket
    /// user, an unreadable manifest).
    func serverConfiguration() throws -> ServerConfiguration {
        var configuration = ServerConfiguration()
        if let listen {
            configuration.listen = try .unixSocket(
                path: listen,
                mode: UInt32(socketMode, radix: 8) ?? 0o660,
                userName: socketUser,
                groupName: socketGroup
            )
        }
        configuration.schemaPath = schema
        if let endpoint = Endpoint(endpoint) { configuration.endpoint = endpoint }
        configuration.dataSource = database.flatMap(DataSource.init)
        configuration.sqlLimits.maxRows = sqlMaxRows
        configuration.sqlLimits.timeLimit = .milliseconds(sqlTimeLimitMs)
        configuration.httpData.headers = httpHeader.compactMap(HTTPUpstreamHeader.init)
        configuration.httpData.timeout = .milliseconds(httpTimeoutMs)
        configuration.httpData.maxResponseBytes = httpMaxResponseBytes
        configuration.httpData.maxCallsPerRequest = httpMaxCallsPerRequest
        configuration.workers.threadCount = threads
        configuration.workers.concurrency = concurrency
        configuration.workers.maxBodyBytes = maxBodyBytes
        configuration.gracePeriod = .seconds(gracePeriod)
        configuration.graphQL.statusCodePolicy = GraphQLHTTPConfiguration.StatusCodePolicy(rawValue: statusCodes) ?? .compatible
        configuration.graphQL.executor = GraphQLHTTPConfiguration.Executor(rawValue: executor) ?? .plan
        configuration.graphQL.maxDocumentNesting = maxDocumentNesting
        configuration.graphQL.documentCacheEnabled = !noDocumentCache
        if let persistedQueriesManifest {
            do {
                configuration.graphQL.persistedQueries = .allowlist(try PersistedQueries.loadManifest(path: persistedQueriesManifest))
            } catch {
                throw StartupError(description: "persisted-query manifest \(persistedQueriesManifest): \(error)")
            }
        }
        configuration.graphQL.introspection = profile == .development
        configuration.graphQL.suggestions = profile == .development
        configuration.graphQL.limits.maxTokens = maxTokens
        configuration.graphQL.limits.maxDepth = maxDepth
        configuration.graphQL.limits.maxAliases = maxAliases
        configuration.graphQL.limits.maxRootFields = maxRootFields
        configuration.graphQL.limits.maxDirectivesPerField = maxDirectives
        configuration.graphQL.limits.maxSelections = maxSelections
        configuration.graphQL.limits.maxCost = maxCost
        configuration.graphQL.maxBatchSize = maxBatchSize
        configuration.throttle.loginFailuresPerIdentifier = .init(limit: loginFailuresPerIdentifier, window: .seconds(loginFailureWindow))
        configuration.throttle.loginFailuresPerAddress = .init(limit: loginFailuresPerAddress, window: .seconds(loginFailureWindow))
        configuration.throttle.registrationsPerAddress = .init(limit: registrationsPerAddress, window: .seconds(registrationWindow))
        configuration.trustedProxies = trustedProxy.compactMap(AddressRange.init)
        configuration.requestLog.accessLog = !noAccessLog
        configuration.requestLog.accessLogBufferBytes = min(accessLogBufferKb, 1 << 20) * 1024
        configuration.requestLog.accessLogFlushInterval = .milliseconds(accessLogFlushMs)
        configuration.requestLog.slowRequestThreshold = slowRequestMs == 0 ? nil : .milliseconds(slowRequestMs)
        configuration.recycling = Recycling(
            maxRequests: maxRequests == 0 ? nil : maxRequests,
            maxResidentBytes: maxRssMb == 0 ? nil : maxRssMb << 20
        )
        configuration.graphQL.limits.costWeights.defaultListSize = defaultListSize
        configuration.kratos.publicURL = kratosPublicUrl
        configuration.kratos.totpIssuer = kratosTotpIssuer
        configuration.kratos.adminURL = kratosAdminUrl
        configuration.kratos.requestTimeout = .milliseconds(kratosTimeoutMs)
        configuration.kratosHTTP.connectTimeout = .milliseconds(kratosConnectTimeoutMs)
        configuration.sessionCacheTTL = .seconds(sessionCacheTtl)
        configuration.sessionCacheEntries = sessionCacheEntries
        configuration.allowBreakingReload = allowBreakingReload
        if let location = SharedStateLocation(url: sharedState) { configuration.sharedState = location }
        configuration.explorerDirectory = noExplorer ? nil : explorerDir

        return configuration
    }
}

/// The configuration structs' durations as the whole seconds or milliseconds their flags take.
enum Defaults {
    static func seconds(_ duration: Duration) -> Int { Int(duration.components.seconds) }

    static func milliseconds(_ duration: Duration) -> Int {
        Int(duration.components.seconds) * 1000 + Int(duration.components.attoseconds / 1_000_000_000_000_000)
    }
}
