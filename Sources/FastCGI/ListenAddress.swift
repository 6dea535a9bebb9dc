// SPDX-License-Identifier: Apache-2.0

/// Where the worker pool accepts nginx's FastCGI connections.
public enum ListenAddress: Sendable, Equatable, CustomStringConvertible {
    /// A unix socket this process creates (`--listen /run/graphql-fcgi/1.sock`).
    case unixSocket(path: String, mode: UInt32 = 0o660, user: UInt32? = nil, group: UInt32? = nil)
    /// A listening socket inherited on fd 0, as spawn-fcgi and systemd's `StandardInput=socket` pass it.
    case inheritedStandardInput
    /// systemd socket activation: `LISTEN_FDS=1` and `LISTEN_PID` naming this process; the socket is fd 3.
    case systemdSocketActivation

    /// A socket at `path` owned by `user` and `group` (names or numbers; nil keeps this process's). Fails with a
    /// message when a name is unknown.
    public static func unixSocket(path: String, mode: UInt32, userName: String?, groupName: String?) throws(FastCGIError) -> ListenAddress {
        var user: UInt32?
        var group: UInt32?
        if let userName {
            guard let id = LibFCGI.userID(userName) else { throw .unknownOwner(userName) }
            user = id
        }
        if let groupName {
            guard let id = LibFCGI.groupID(groupName) else { throw .unknownOwner(groupName) }
            group = id
        }
        return .unixSocket(path: path, mode: mode, user: user, group: group)
    }

    public var description: String {
        switch self {
        case .unixSocket(let path, let mode, _, _): return "unix:\(path) (mode \(String(mode, radix: 8)))"
        case .inheritedStandardInput: return "inherited socket on fd 0"
        case .systemdSocketActivation: return "systemd socket activation (fd 3)"
        }
    }

    /// Chooses socket activation when systemd passed sockets to this process, fd 0 when it is a listening
    /// socket, and nil otherwise (a path must then be configured).
    public static func inherited(environment: [String: String], processID: Int32) -> ListenAddress? {
        if let fds = environment["LISTEN_FDS"], let pid = environment["LISTEN_PID"], pid == String(processID),
            Int(fds) ?? 0 >= 1
        {
            return .systemdSocketActivation
        }
        return LibFCGI.isListeningSocket(0) ? .inheritedStandardInput : nil
    }

    /// Opens (or adopts) the socket and returns its descriptor.
    func open(backlog: Int32, environment: [String: String]) throws(FastCGIError) -> Int32 {
        switch self {
        case .unixSocket(let path, let mode, let user, let group):
            let fd = try LibFCGI.listen(path: path, mode: mode, backlog: backlog)
            if user != nil || group != nil { try LibFCGI.changeOwner(path: path, user: user, group: group) }
            return fd
        case .inheritedStandardInput:
            guard LibFCGI.isListeningSocket(0) else { throw .notAListeningSocket(fd: 0, origin: "standard input") }
            return 0
        case .systemdSocketActivation:
            guard environment["LISTEN_FDS"] == "1" else {
                throw .socketActivationMismatch("expected exactly one socket, LISTEN_FDS=\(environment["LISTEN_FDS"] ?? "unset")")
            }
            guard LibFCGI.isListeningSocket(3) else { throw .notAListeningSocket(fd: 3, origin: "LISTEN_FDS") }
            return 3
        }
    }
}
