// SPDX-License-Identifier: Apache-2.0
public import FastCGI
public import GraphQLHTTP
public import HTTPClient
public import HTTPData
public import Kratos
public import SharedState
public import SQLite

/// Everything a graphql-fcgi process needs to run. Defaults are the production defaults.
public struct ServerConfiguration: Sendable {
    /// Where to accept FastCGI connections. Default: nil, meaning an inherited socket (systemd socket activation or
    /// a listening socket on fd 0); startup fails if there is none.
    public var listen: ListenAddress?
    /// The SDL file. Default `schema/schema.graphql`, resolved against the working directory.
    public var schemaPath: String = "schema/schema.graphql"
    /// The worker threads and body limit.
    public var workers = WorkerPool.Configuration()
    /// How long SIGTERM waits for requests in flight. Default 10 s, below nginx's `fastcgi_read_timeout` of 30 s in
    /// the shipped site.
    public var gracePeriod: Duration = .seconds(10)
    /// GraphQL-over-HTTP behaviour (status codes, document cache, nesting limit).
    public var graphQL = GraphQLHTTPConfiguration()
    /// Kratos' URLs and the deadline of each call.
    public var kratos = KratosConfiguration()
    /// Connections to Kratos: connect timeout, response size cap, connections kept.
    public var kratosHTTP = HTTPClientConfiguration()
    /// Longest time a session checked with Kratos is trusted without asking again. Default 30 s: a session revoked
    /// outside graphql-fcgi (the admin API, Kratos' console) is refused within that time; one ended through the API
    /// (logout, revokeSession, revokeOtherSessions, changePassword) is refused at once by every instance that shares
    /// `sharedState`.
    public var sessionCacheTTL: Duration = .seconds(30)
    /// Where every instance records ended sessions and counts sign-in attempts: a shared-memory table for the
    /// instances of one host (the default, under the units' runtime directory), or a Redis server for several hosts.
    public var sharedState: SharedStateLocation = .sharedMemory(path: SharedStateLocation.defaultPath)
    /// Where `@sql` fields read and write. Default none: an SDL with `@sql` fields then refuses to load.
    public var dataSource: DataSource?
    /// Most rows, and longest time, one `@sql` statement may take. Default 10,000 rows, 2 s.
    public var sqlLimits = SQLiteLimits()
    /// How `@http` fields call their services: headers per host, deadline, response size, calls per request.
    public var httpData = HTTPDataConfiguration()
    /// The path the API answers on, as nginx's `location` hands it over. Default `/graphql`.
    public var endpoint: Endpoint = .default
    /// The explorer's files (`index.html`, scripts, styles), served at GET `/graphql` to browsers. Default
    /// `explorer`, resolved against the working directory; nil switches the explorer off.
    public var explorerDirectory: String? = "explorer"
    /// Sessions kept in the cache. Default 10,000.
    public var sessionCacheEntries: Int = 10_000
    /// The access and slow-request logs.
    public var requestLog = RequestLog.Configuration()
    /// When a process drains and exits for a fresh one (after N requests, above a memory ceiling).
    public var recycling = Recycling()
    /// Brute-force limits on login and registration.
    public var throttle = SignInThrottle.Configuration()
    /// Whether SIGHUP may load a schema that refuses operations of the persisted-query allowlist. Default false: such
    /// a reload is refused (and logged, naming each operation), and the old schema keeps serving.
    public var allowBreakingReload = false
    /// Proxies in front of nginx whose `X-Forwarded-For` names the client. Default none: nginx's `REMOTE_ADDR`.
    public var trustedProxies: [AddressRange] = []

    /// The production defaults.
    public init() {}
}
