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

    /// Whether `fd` is readable now: a connection waits in the backlog of a listening socket, or a descriptor is
    /// ready in an epoll set.
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

    /// The CPU-time clock of the calling thread.
    static func currentThreadCPUClock() -> Int32 {
        var clock = clockid_t()
        return pthread_getcpuclockid(pthread_self(), &clock) == 0 ? clock : -1
    }

    /// CPU time of the thread whose clock `clock` is (0 when unknown).
    static func cpuNanoseconds(clock: Int32) -> Int64 {
        guard clock != -1 else { return 0 }
        var time = timespec()
        guard clock_gettime(clock, &time) == 0 else { return 0 }
        return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
    }

    static func wake(_ thread: pthread_t) { pthread_kill(thread, wakeSignal) }
}

/// The process's epoll set over its listening socket and every FastCGI connection, each armed for one readiness
/// report at a time (`EPOLLONESHOT`), so that one thread at a time handles a descriptor. Every worker thread waits
/// on it; the kernel hands each ready descriptor to one of them, in the order they became ready.
struct ConnectionPoll: Sendable {
    let descriptor: Int32

    init() throws(FastCGIError) {
        descriptor = CFastCGI_poll_create()
        guard descriptor >= 0 else { throw .libraryInitFailed }
    }

    /// Arms `fd` for its next readiness report, tagged `tag`; `firstTime` adds it to the set.
    @discardableResult
    func arm(_ fd: Int32, tag: UInt64, firstTime: Bool = false) -> Bool {
        CFastCGI_poll_arm(descriptor, fd, tag, firstTime ? 1 : 0) == 0
    }

    func remove(_ fd: Int32) { _ = CFastCGI_poll_remove(descriptor, fd) }

    /// The tag of the next ready descriptor; nil after `timeoutMilliseconds` (-1: none) or a signal.
    func wait(timeoutMilliseconds: Int32) -> UInt64? {
        let tag = CFastCGI_poll_wait(descriptor, timeoutMilliseconds)
        return tag >= 0 ? UInt64(tag) : nil
    }
}

/// Socket calls of the connection poll's threads.
enum Connections {
    enum Accepted {
        case connection(Int32)
        /// A TCP peer not in `FCGI_WEB_SERVER_ADDRS`, closed.
        case refused
        /// The backlog is empty.
        case none
        case failed(errno: Int32)
    }

    /// `FCGI_WEB_SERVER_ADDRS` as libfcgi reads it: the IPv4 addresses a TCP peer may connect from.
    static let allowedAddresses = ProcessInfo.processInfo.environment["FCGI_WEB_SERVER_ADDRS"] ?? ""

    static func makeNonBlocking(_ fd: Int32) -> Bool { CFastCGI_set_nonblocking(fd) == 0 }

    static func accept(_ listenSocket: Int32) -> Accepted {
        let fd = CFastCGI_accept(listenSocket, allowedAddresses)
        if fd >= 0 { return .connection(fd) }
        if fd == -2 { return .refused }
        return errno == EAGAIN || errno == EWOULDBLOCK ? .none : .failed(errno: errno)
    }

    enum State {
        case request
        case closed
        case empty
    }

    /// What a connection reported readable holds.
    static func state(of fd: Int32) -> State {
        switch CFastCGI_connection_state(fd) {
        case 1: .request
        case 2: .empty
        default: .closed
        }
    }

    static func close(_ fd: Int32) { _ = Glibc.close(fd) }
}

/// One `FCGX_Request`, allocated once per worker thread: libfcgi's streams point back into the struct,
/// so it must never move. It never accepts: the thread hands it a connection the poll reported readable.
final class LibFCGIRequest {
    private let raw: UnsafeMutablePointer<FCGX_Request>
    /// Where the body is read, in chunks; allocated once per thread, not per request.
    private var readBuffer = [CChar](repeating: 0, count: 16 * 1024)

    init() {
        raw = .allocate(capacity: 1)
        // No listening socket: should libfcgi want to accept (after a broken connection), it fails instead.
        FCGX_InitRequest(raw, -1, FCGI_FAIL_ACCEPT_ON_INTR)
    }

    deinit {
        FCGX_Free(raw, 1)
        raw.deallocate()
    }

    /// Reads the next request's head (its role and parameters) from `connection`, blocking until it is there.
    /// Returns false when the connection broke or spoke something else than FastCGI: libfcgi has closed it.
    func accept(on connection: Int32) -> Bool {
        raw.pointee.ipcFd = connection
        // FCGX_Accept_r first finishes the previous request, closing its connection unless it was kept.
        raw.pointee.keepConnection = 1
        return FCGX_Accept_r(raw) >= 0
    }

    /// Completes the request. Returns whether the connection stays open (nginx asked to keep it and
    /// `keepConnection` is still true); it is then the caller's again, no longer this request's.
    func finish(keepConnection: Bool) -> Bool {
        if !keepConnection { raw.pointee.keepConnection = 0 }
        FCGX_Finish_r(raw)
        guard raw.pointee.ipcFd >= 0 else { return false }
        raw.pointee.ipcFd = -1
        return true
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
