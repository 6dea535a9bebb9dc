// SPDX-License-Identifier: Apache-2.0
import Foundation
public import Logging
import Synchronization

/// A pool of threads, each blocking in `FCGX_Accept_r` on the same listening socket and serving one request
/// at a time, synchronously.
///
/// With `fastcgi_keep_conn on`, libfcgi binds a thread to one nginx connection for as long as nginx keeps it,
/// so `threadCount` must exceed the number of connections nginx keeps open to this instance (its upstream
/// `keepalive` times its worker processes), or requests on new connections wait silently.
public final class WorkerPool: Sendable {
    public struct Configuration: Sendable {
        /// Threads accepting requests. Default 64: above the shipped nginx site's `keepalive 16` times two nginx
        /// worker processes.
        public var threadCount: Int = 64
        /// Largest request body read into memory; a larger one is discarded and the handler told. Default 1 MiB.
        public var maxBodyBytes: Int = 1 << 20
        /// `listen(2)` backlog for a socket this process creates. Default 1024.
        public var backlog: Int32 = 1024
        /// Stack of each worker thread. Default 16 MiB (virtual; pages are touched only when used), so that the
        /// recursive GraphQL parser and validator have room on documents at the configured nesting limit.
        public var threadStackBytes: Int = 16 << 20

        public init() {}
    }

    /// Serves one request. Called on a worker thread; may block that thread.
    public typealias Handler = (FastCGIRequest) -> FastCGIResponse

    /// How a drain ended.
    public struct DrainReport: Sendable, Equatable {
        /// Threads still serving a request when the grace period ran out.
        public var abandonedRequests: Int
    }

    private enum SlotState {
        case starting
        /// Blocked in `accept` on the listening socket; the drain wakes it with a signal.
        case accepting(pthread_t)
        /// Waiting for nginx's next request on a kept connection, or for nginx to close it.
        case onKeptConnection
        case busy
        case exited
    }

    /// What one worker thread is doing; the drain reads it to know whom to wake.
    private final class Slot: Sendable {
        let state = Mutex<SlotState>(.starting)
    }

    private let configuration: Configuration
    private let address: ListenAddress
    private let listenSocket: Int32
    private let logger: Logger
    private let slots: [Slot]
    /// Set once no new connection will be accepted; threads without a kept connection then exit.
    private let acceptClosed = Atomic<Bool>(false)

    /// Opens the listening socket. Nothing is accepted until `start(makeHandler:)`.
    public init(
        address: ListenAddress,
        configuration: Configuration,
        logger: Logger,
        environment: [String: String]? = nil
    ) throws(FastCGIError) {
        try LibFCGI.initialize()
        self.address = address
        self.configuration = configuration
        self.logger = logger
        self.listenSocket = try address.open(
            backlog: configuration.backlog,
            environment: environment ?? ProcessInfo.processInfo.environment
        )
        self.slots = (0..<max(1, configuration.threadCount)).map { _ in Slot() }
    }

    /// Starts the threads. `makeHandler` runs once on each worker thread, so per-thread state (an executor bound
    /// to the thread, buffers) can live in the handler it returns.
    public func start(makeHandler: @escaping @Sendable () -> Handler) {
        for index in slots.indices {
            let thread = Thread { [self] in
                runWorker(slot: slots[index], handler: makeHandler())
            }
            thread.stackSize = configuration.threadStackBytes
            thread.name = "fcgi-worker-\(index)"
            thread.start()
        }
        logger.info("accepting FastCGI requests", metadata: ["listen": "\(address)", "threads": "\(slots.count)"])
    }

    /// Threads currently serving a request.
    public var busyThreads: Int {
        slots.reduce(0) { count, slot in
            count + slot.state.withLock { if case .busy = $0 { 1 } else { 0 } }
        }
    }

    public var threadCount: Int { slots.count }

    /// Stops accepting new connections and lets the requests in flight finish, up to `gracePeriod`.
    ///
    /// A kept connection is never closed from this side while nginx may be reusing it: nginx would see its next
    /// request fail, and does not retry a POST. The worker keeps serving it until nginx closes it, which the
    /// shipped site bounds with `keepalive_time` and `keepalive_timeout` (both below the default grace period).
    /// Connections still open at the deadline close when the process exits.
    public func drain(gracePeriod: Duration) -> DrainReport {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: gracePeriod)
        stopAccepting(until: deadline)
        while clock.now < deadline {
            var running = 0
            for slot in slots {
                slot.state.withLock { state in
                    switch state {
                    case .accepting(let thread):
                        LibFCGI.wake(thread)
                        running += 1
                    case .starting, .busy, .onKeptConnection:
                        running += 1
                    case .exited:
                        break
                    }
                }
            }
            if running == 0 { break }
            Thread.sleep(forTimeInterval: 0.01)
        }
        if case .unixSocket = address { LibFCGI.closeSocket(listenSocket) }
        let abandoned = busyThreads
        logger.info("drained", metadata: ["abandoned_requests": "\(abandoned)"])
        return DrainReport(abandonedRequests: abandoned)
    }

    /// New connections stop here. A socket this process created is unlinked first (nginx's next connects fail
    /// and go to another instance), the connections already in its backlog are accepted and served, then the
    /// socket is shut down, which fails every `accept`. An inherited socket belongs to systemd or spawn-fcgi and
    /// is left open: its backlog waits for the next instance.
    private func stopAccepting(until deadline: ContinuousClock.Instant) {
        guard case .unixSocket(let path, _, _, _) = address else {
            acceptClosed.store(true, ordering: .sequentiallyConsistent)
            return
        }
        LibFCGI.unlinkSocket(path: path)
        while LibFCGI.hasPendingConnection(listenSocket), ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.002)
        }
        acceptClosed.store(true, ordering: .sequentiallyConsistent)
        LibFCGI.shutdownSocket(listenSocket)
    }

    private var isAcceptClosed: Bool { acceptClosed.load(ordering: .sequentiallyConsistent) }

    private func runWorker(slot: Slot, handler: Handler) {
        let request = LibFCGIRequest(listenSocket: listenSocket)
        let thread = LibFCGI.currentThread()
        while true {
            if request.hasKeptConnection {
                // Waiting here rather than inside libfcgi's read lets this thread tell nginx closing the
                // connection apart from a request, so a drain never closes a connection nginx may reuse.
                slot.state.withLock { $0 = .onKeptConnection }
                switch request.waitOnKeptConnection(timeoutMilliseconds: -1) {
                case .request: break
                case .closed:
                    request.finish(keepConnection: false)
                    continue
                case .idle:
                    continue
                }
                slot.state.withLock { $0 = .busy }
            } else {
                if isAcceptClosed { break }
                slot.state.withLock { $0 = .accepting(thread) }
            }
            guard request.accept() else {
                if !isAcceptClosed {
                    // EMFILE and the like: do not spin on a persistent accept failure.
                    logger.warning("FCGX_Accept_r failed", metadata: ["errno": "\(errno)"])
                    Thread.sleep(forTimeInterval: 0.01)
                }
                continue
            }
            slot.state.withLock { $0 = .busy }
            serve(request, with: handler)
            request.finish(keepConnection: true)
        }
        slot.state.withLock { $0 = .exited }
    }

    private func serve(_ request: LibFCGIRequest, with handler: Handler) {
        var incoming = FastCGIRequest(body: [], bodyExceededLimit: false)
        request.copyParameters(into: &incoming)
        let expectedLength = incoming[parameter: "CONTENT_LENGTH"].flatMap { Int($0) }
        (incoming.body, incoming.bodyExceededLimit) = request.readBody(limit: configuration.maxBodyBytes, expectedLength: expectedLength)
        let response = handler(incoming)
        request.write(response.message())
    }
}
