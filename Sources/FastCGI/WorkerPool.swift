// SPDX-License-Identifier: Apache-2.0
import Foundation
public import Logging
import Synchronization

/// A fixed pool of threads serving the FastCGI connections of one listening socket, request by request, in the
/// order the requests arrive.
///
/// Connections are not tied to threads. Every thread waits on one epoll set holding the listening socket and every
/// open connection, each armed for a single report (`EPOLLONESHOT`); the kernel wakes one waiting thread per ready
/// descriptor, in the order they became ready. A thread that gets the listening socket accepts what waits in its
/// backlog and arms each new connection; one that gets a connection reads and serves its request with libfcgi,
/// then arms the connection again if nginx keeps it (`fastcgi_keep_conn on`). So nginx may keep any number of
/// connections open without holding a thread, and a request on a kept connection waits its turn behind requests
/// on new ones, where the thread-per-connection model (libfcgi's own) served kept connections first and left new
/// ones in the backlog for seconds under load (README → Performance).
public final class WorkerPool: Sendable {
    public struct Configuration: Sendable {
        /// Threads serving requests. Default 64: how many requests run at once, those waiting on Kratos, a
        /// database or an `@http` service included. Connections do not hold threads.
        public var threadCount: Int = 64
        /// Threads polling and serving at once while none waits; more (up to `threadCount`) are let in while some
        /// wait on Kratos, a database or an upstream (see `ThreadAdmission`). Default: the number of cores.
        public var concurrency: Int = ProcessInfo.processInfo.activeProcessorCount
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
        /// Parked by the admission while enough threads are active; the drain lets it in.
        case parked
        /// Waiting on the connection poll; the drain wakes it with a signal.
        case waiting(pthread_t)
        case busy
        case exited
    }

    /// What one worker thread is doing; the drain reads it to know whom to wake.
    private final class Slot: Sendable {
        let state = Mutex<SlotState>(.starting)
    }

    /// The poll tag of the listening socket (above every descriptor); a connection's tag is its descriptor.
    private static let listenTag = UInt64(Int32.max) + 1
    /// Connections accepted per report of the listening socket before others get their turn.
    private static let acceptBatch = 64

    private let configuration: Configuration
    private let address: ListenAddress
    private let listenSocket: Int32
    private let poll: ConnectionPoll
    private let logger: Logger
    private let slots: [Slot]
    private let admission: ThreadAdmission
    /// Set once no new connection will be accepted; the threads exit when no connection is left open.
    private let acceptClosed = Atomic<Bool>(false)
    /// FastCGI connections accepted and not closed yet.
    private let connections = Atomic<Int>(0)

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
        self.poll = try ConnectionPoll()
        guard Connections.makeNonBlocking(listenSocket), poll.arm(listenSocket, tag: Self.listenTag, firstTime: true) else {
            throw .notAListeningSocket(fd: listenSocket, origin: "\(address)")
        }
        self.slots = (0..<max(1, configuration.threadCount)).map { _ in Slot() }
        let poll = self.poll
        self.admission = ThreadAdmission(threads: slots.count, concurrency: configuration.concurrency) {
            LibFCGI.hasPendingConnection(poll.descriptor)
        }
    }

    /// Starts the threads. `makeHandler` runs once on each worker thread, so per-thread state (an executor bound
    /// to the thread, buffers) can live in the handler it returns.
    public func start(makeHandler: @escaping @Sendable () -> Handler) {
        admission.start()
        for index in slots.indices {
            let thread = Thread { [self] in
                runWorker(slot: slots[index], gate: admission.gates[index], handler: makeHandler())
            }
            thread.stackSize = configuration.threadStackBytes
            thread.name = "fcgi-worker-\(index)"
            thread.start()
        }
        logger.info(
            "accepting FastCGI requests",
            metadata: ["listen": "\(address)", "threads": "\(slots.count)", "concurrency": "\(configuration.concurrency)"]
        )
    }

    /// Threads currently serving a request.
    public var busyThreads: Int {
        slots.reduce(0) { count, slot in
            count + slot.state.withLock { if case .busy = $0 { 1 } else { 0 } }
        }
    }

    public var threadCount: Int { slots.count }

    /// FastCGI connections open (nginx's kept ones and those serving a request).
    public var openConnections: Int { connections.load(ordering: .relaxed) }

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
        admission.close()
        while clock.now < deadline {
            var running = 0
            for slot in slots {
                slot.state.withLock { state in
                    switch state {
                    case .waiting(let thread):
                        LibFCGI.wake(thread)
                        running += 1
                    case .starting, .busy, .parked:
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
            poll.remove(listenSocket)
            return
        }
        LibFCGI.unlinkSocket(path: path)
        while LibFCGI.hasPendingConnection(listenSocket), ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.002)
        }
        acceptClosed.store(true, ordering: .sequentiallyConsistent)
        poll.remove(listenSocket)
        LibFCGI.shutdownSocket(listenSocket)
    }

    private var isAcceptClosed: Bool { acceptClosed.load(ordering: .sequentiallyConsistent) }

    private func runWorker(slot: Slot, gate: ThreadAdmission.Gate, handler: Handler) {
        let request = LibFCGIRequest()
        let thread = LibFCGI.currentThread()
        admission.join(gate)
        while true {
            let draining = isAcceptClosed
            if draining, connections.load(ordering: .sequentiallyConsistent) == 0 { break }
            slot.state.withLock { $0 = .parked }
            admission.admit(gate)
            slot.state.withLock { $0 = .waiting(thread) }
            admission.polling(true)
            // While draining, look up now and then: the last connection may close on another thread.
            let tag = poll.wait(timeoutMilliseconds: isAcceptClosed ? 20 : -1)
            admission.polling(false)
            guard let tag else { continue }
            slot.state.withLock { $0 = .busy }
            admission.serving(gate, true)
            if tag == Self.listenTag {
                acceptPending()
            } else {
                serveConnection(Int32(truncatingIfNeeded: tag), with: request, handler: handler)
            }
            admission.serving(gate, false)
        }
        admission.leave(gate)
        slot.state.withLock { $0 = .exited }
    }

    /// Accepts up to `acceptBatch` connections from the backlog, arms each, then arms the listening socket again.
    private func acceptPending() {
        for _ in 0..<Self.acceptBatch where !isAcceptClosed {
            switch Connections.accept(listenSocket) {
            case .connection(let fd):
                connections.add(1, ordering: .sequentiallyConsistent)
                if !poll.arm(fd, tag: UInt64(fd), firstTime: true) { close(fd) }
            case .refused:
                continue
            case .none:
                return rearmListeningSocket()
            case .failed(let error):
                if isAcceptClosed { return }
                // EMFILE and the like: the connection stays in the backlog; do not spin on it.
                logger.warning("accept failed", metadata: ["errno": "\(error)"])
                Thread.sleep(forTimeInterval: 0.01)
                return rearmListeningSocket()
            }
        }
        rearmListeningSocket()
    }

    private func rearmListeningSocket() {
        guard !isAcceptClosed else { return }
        poll.arm(listenSocket, tag: Self.listenTag)
    }

    /// Serves the request waiting on `fd`, then arms it again if nginx keeps it, or closes it.
    private func serveConnection(_ fd: Int32, with request: LibFCGIRequest, handler: Handler) {
        switch Connections.state(of: fd) {
        case .closed:
            return close(fd)
        case .empty:
            if !poll.arm(fd, tag: UInt64(fd)) { close(fd) }
            return
        case .request:
            break
        }
        guard request.accept(on: fd) else {
            // Not FastCGI, or broken mid-request: libfcgi closed it.
            connections.subtract(1, ordering: .sequentiallyConsistent)
            return
        }
        serve(request, with: handler)
        if request.finish(keepConnection: true) {
            if !poll.arm(fd, tag: UInt64(fd)) { close(fd) }
        } else {
            connections.subtract(1, ordering: .sequentiallyConsistent)
        }
    }

    /// Closes a connection this pool accepted (nginx closed it, or it cannot be polled).
    private func close(_ fd: Int32) {
        poll.remove(fd)
        Connections.close(fd)
        connections.subtract(1, ordering: .sequentiallyConsistent)
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
