// SPDX-License-Identifier: Apache-2.0
// Every raw call into libfcgi and the POSIX signal and socket calls the worker pool needs. Nothing
// else in the module touches an unsafe pointer.
import CFastCGI
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Thin, safe-to-call wrappers over libfcgi's thread-safe (`_r`) API.
enum LibFCGI {
    /// Initialises libfcgi once per process. libfcgi installs handlers for SIGPIPE and SIGUSR1 when their
    /// disposition is the default; SIGPIPE is ignored first so a write to a closed nginx connection only
    /// fails that write.
    static func initialize() throws(FastCGIError) {
        signal(SIGPIPE, SIG_IGN)
        guard FCGX_Init() == 0 else { throw .libraryInitFailed }
        installWakeSignalHandler()
    }

    /// Opens a unix socket at `path` with the given mode (a stale socket file is replaced).
    static func listen(path: String, mode: UInt32, backlog: Int32) throws(FastCGIError) -> Int32 {
        let fd = CFastCGI_listen_unix(path, backlog, mode_t(mode))
        guard fd >= 0 else { throw .cannotListen(path: path, errno: errno) }
        return fd
    }

    /// Whether `fd` is a listening stream socket, as handed over by spawn-fcgi or systemd.
    static func isListeningSocket(_ fd: Int32) -> Bool {
        CFastCGI_is_listening_socket(fd) != 0
    }

    static func changeOwner(path: String, user: UInt32?, group: UInt32?) throws(FastCGIError) {
        guard chown(path, user ?? UInt32.max, group ?? UInt32.max) == 0 else {
            throw .cannotChangeOwner(path: path, errno: errno)
        }
    }

    /// The uid of a user name (or a numeric uid), or nil if there is no such user.
    static func userID(_ name: String) -> UInt32? {
        if let numeric = UInt32(name) { return numeric }
        return getpwnam(name).map { $0.pointee.pw_uid }
    }

    /// The gid of a group name (or a numeric gid), or nil if there is no such group.
    static func groupID(_ name: String) -> UInt32? {
        if let numeric = UInt32(name) { return numeric }
        return getgrnam(name).map { $0.pointee.gr_gid }
    }

    static func closeSocket(_ fd: Int32) { close(fd) }

    /// Makes every `accept` on a listening socket fail at once, including calls already blocked in it.
    static func shutdownSocket(_ fd: Int32) { shutdown(fd, Int32(SHUT_RDWR)) }

    /// Whether a connection waits in the listen backlog of `fd`.
    static func hasPendingConnection(_ fd: Int32) -> Bool { CFastCGI_has_pending_connection(fd) == 1 }

    static func unlinkSocket(path: String) { unlink(path) }

    // MARK: - Signals

    /// Signal used to wake a worker thread blocked in `accept` or `read`: its handler does nothing and is
    /// installed without `SA_RESTART`, so the blocked call fails with EINTR.
    static let wakeSignal = SIGUSR2

    private static func installWakeSignalHandler() {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(wakeSignal, &action, nil)
    }

    /// Blocks the process-control signals in the calling thread and every thread it starts afterwards, so
    /// that only `waitForControlSignal` receives them (libfcgi's own SIGTERM handling would otherwise catch
    /// them in a random thread).
    static func blockControlSignals(_ signals: [Int32]) {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in signals { sigaddset(&set, signal) }
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    /// Waits for one of `signals` (which must be blocked) and returns it.
    static func waitForSignal(_ signals: [Int32]) -> Int32 {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in signals { sigaddset(&set, signal) }
        var received: Int32 = 0
        while sigwait(&set, &received) != 0 {}
        return received
    }

    /// Waits up to `timeout` for one of `signals` (which must be blocked); nil on timeout.
    static func waitForSignal(_ signals: [Int32], timeout: Duration) -> Int32? {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in signals { sigaddset(&set, signal) }
        let (seconds, attoseconds) = timeout.components
        var wait = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
        while true {
            let received = sigtimedwait(&set, nil, &wait)
            if received > 0 { return received }
            if errno != EINTR { return nil }
        }
    }

    static func currentThread() -> pthread_t { pthread_self() }

    static func wake(_ thread: pthread_t) { pthread_kill(thread, wakeSignal) }
}

/// One `FCGX_Request`, allocated once per worker thread: libfcgi's streams point back into the struct,
/// so it must never move.
final class LibFCGIRequest {
    private let raw: UnsafeMutablePointer<FCGX_Request>
    /// Where the body is read, in chunks; allocated once per thread, not per request.
    private var readBuffer = [CChar](repeating: 0, count: 16 * 1024)

    init(listenSocket: Int32) {
        raw = .allocate(capacity: 1)
        FCGX_InitRequest(raw, listenSocket, FCGI_FAIL_ACCEPT_ON_INTR)
    }

    deinit {
        FCGX_Free(raw, 1)
        raw.deallocate()
    }

    /// What waiting on a kept connection ended with.
    enum ConnectionWait {
        /// A request is there to be read.
        case request
        /// nginx closed the connection.
        case closed
        /// The timeout passed or a signal interrupted the wait.
        case idle
    }

    /// Whether the last request's connection was kept open for the next one.
    var hasKeptConnection: Bool { raw.pointee.ipcFd >= 0 }

    /// Waits on the kept connection (which `hasKeptConnection` must report) for the next request, without
    /// reading it; `timeoutMilliseconds` -1 waits until a request, a close or a signal.
    func waitOnKeptConnection(timeoutMilliseconds: Int32) -> ConnectionWait {
        switch CFastCGI_wait_on_connection(raw.pointee.ipcFd, timeoutMilliseconds) {
        case 1: .request
        case 0: .closed
        default: .idle
        }
    }

    /// Waits for the next request (on the kept connection, or a new one). Returns false on failure,
    /// which includes being woken by `LibFCGI.wake`.
    func accept() -> Bool { FCGX_Accept_r(raw) >= 0 }

    /// Completes the request. The connection stays open only if nginx asked to keep it and `keepConnection`
    /// is still true.
    func finish(keepConnection: Bool) {
        if !keepConnection { raw.pointee.keepConnection = 0 }
        FCGX_Finish_r(raw)
    }

    /// The request's parameters, copied into `request` (libfcgi frees them at `FCGX_Finish_r`).
    func copyParameters(into request: inout FastCGIRequest) {
        guard var cursor = raw.pointee.envp else { return }
        while let entry = cursor.pointee {
            if let separator = strchr(entry, 0x3D) {  // "="
                let nameLength = separator - entry
                let valueLength = strlen(separator + 1)
                entry.withMemoryRebound(to: UInt8.self, capacity: nameLength + 1 + valueLength) { bytes in
                    request.appendParameter(
                        name: UnsafeBufferPointer(start: bytes, count: nameLength),
                        value: UnsafeBufferPointer(start: bytes + nameLength + 1, count: valueLength)
                    )
                }
            }
            cursor += 1
        }
    }

    /// Reads up to `limit` bytes of the body. When the body is longer, the rest is read and discarded in
    /// small chunks (so the kept connection stays usable) and `exceeded` is true.
    func readBody(limit: Int, expectedLength: Int?) -> (body: [UInt8], exceeded: Bool) {
        var body: [UInt8] = []
        body.reserveCapacity(min(expectedLength ?? 0, limit))
        var exceeded = false
        while true {
            let count = readBuffer.withUnsafeMutableBufferPointer {
                FCGX_GetStr($0.baseAddress, Int32($0.count), raw.pointee.in)
            }
            if count <= 0 { break }
            if exceeded { continue }
            if body.count + Int(count) > limit {
                exceeded = true
                body = []
                continue
            }
            readBuffer.withUnsafeBufferPointer {
                $0.baseAddress!.withMemoryRebound(to: UInt8.self, capacity: Int(count)) {
                    body.append(contentsOf: UnsafeBufferPointer(start: $0, count: Int(count)))
                }
            }
        }
        return (body, exceeded)
    }

    /// Writes the CGI response (head and body). Returns false when nginx has gone away.
    @discardableResult
    func write(_ message: [UInt8]) -> Bool {
        message.withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) {
                FCGX_PutStr($0.baseAddress, Int32($0.count), raw.pointee.out) == Int32($0.count)
            }
        }
    }
}

/// The process's standard error, written with one `write(2)` per call so that lines from different threads never
/// interleave (Foundation's `FileHandle.write` copies into `Data` first: ~4 % of a worker's CPU under wrk, about
/// 3 µs a line).
public enum StandardError {
    public static func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(2, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0, errno == EINTR { continue }
                guard written > 0 else { return }
                offset += written
            }
        }
    }
}
