// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#endif

/// Why the worker pool could not start.
public enum FastCGIError: Error, CustomStringConvertible, Equatable {
    case libraryInitFailed
    case cannotListen(path: String, errno: Int32)
    case cannotChangeOwner(path: String, errno: Int32)
    case notAListeningSocket(fd: Int32, origin: String)
    case socketActivationMismatch(String)
    case unknownOwner(String)

    public var description: String {
        switch self {
        case .libraryInitFailed:
            return "libfcgi could not be initialised (FCGX_Init failed)"
        case .cannotListen(let path, let code):
            return "cannot listen on unix socket \(path): \(String(cString: strerror(code)))"
        case .cannotChangeOwner(let path, let code):
            return "cannot change the owner of \(path): \(String(cString: strerror(code)))"
        case .notAListeningSocket(let fd, let origin):
            return "file descriptor \(fd) (\(origin)) is not a listening socket"
        case .socketActivationMismatch(let detail):
            return "systemd socket activation: \(detail)"
        case .unknownOwner(let name):
            return "no such user or group: \(name)"
        }
    }
}
