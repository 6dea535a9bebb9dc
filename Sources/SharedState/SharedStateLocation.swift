// SPDX-License-Identifier: Apache-2.0

/// Where the security state lives, as the `shared-state` setting names it:
/// - `shm:/run/graphql-fcgi-state/security.state` — a table in shared memory, for the processes of one host (the
///   default; the path must be on a memory file system such as `/run` and writable by every instance);
/// - `redis://[[user]:password@]host[:port][/database]` — a Redis-protocol server, for several hosts.
public enum SharedStateLocation: Sendable, Equatable, CustomStringConvertible {
    case sharedMemory(path: String)
    case redis(RedisEndpoint)

    public static let defaultPath = "/run/graphql-fcgi-state/security.state"
    /// What `init(url:)` accepts, for messages about a value it refused.
    public static let expectedForm = "shm:/absolute/path or redis://[[user]:password@]host[:port][/db]"

    public init?(url: String) {
        if url.hasPrefix("shm:") {
            let path = String(url.dropFirst("shm:".count))
            guard path.hasPrefix("/"), path.count > 1 else { return nil }
            self = .sharedMemory(path: path)
        } else if let endpoint = RedisEndpoint(url: url) {
            self = .redis(endpoint)
        } else {
            return nil
        }
    }

    /// For logs and `check-config`: a Redis password is never shown.
    public var description: String {
        switch self {
        case .sharedMemory(let path): "shm:\(path)"
        case .redis(let endpoint): endpoint.redacted
        }
    }

    /// Opens the state. A shared-memory table that cannot be made fails at once; Redis is connected to lazily (an
    /// unreachable one only means cached sessions are not trusted until it answers).
    /// - Parameter retention: How long invalidations must be remembered: the session cache's longest life.
    public func open(retention: Duration) throws(SharedStateError) -> any SecurityState {
        switch self {
        case .sharedMemory(let path):
            return try SharedMemoryState(path: path, retention: retention)
        case .redis(let endpoint):
            let state = RedisState(endpoint: endpoint, retention: retention)
            state.start()
            return state
        }
    }
}
