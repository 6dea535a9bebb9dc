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
        case waiting(pthread_t)
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
    private let draining = Atomic<Bool>(false)

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

    /// Stops accepting, lets the requests in flight finish (up to `gracePeriod`), closes every connection and the
    /// listening socket. Kept connections that are idle are closed at once; nginx opens new ones to the other
    /// instances of its upstream.
    public func drain(gracePeriod: Duration) -> DrainReport {
        draining.store(true, ordering: .sequentiallyConsistent)
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: gracePeriod)
        var running = slots.count
        while true {
            running = 0
            for slot in slots {
                slot.state.withLock { state in
                    switch state {
                    case .waiting(let thread):
                        LibFCGI.wake(thread)
                        running += 1
                    case .starting, .busy:
                        running += 1
                    case .exited:
                        break
                    }
                }
            }
            if running == 0 || clock.now >= deadline { break }
            Thread.sleep(forTimeInterval: 0.01)
        }
        if case .unixSocket(let path, _, _, _) = address {
            LibFCGI.unlinkSocket(path: path)
            LibFCGI.closeSocket(listenSocket)
        }
        let abandoned = busyThreads
        logger.info("drained", metadata: ["abandoned_requests": "\(abandoned)"])
        return DrainReport(abandonedRequests: abandoned)
    }

    private var isDraining: Bool { draining.load(ordering: .sequentiallyConsistent) }

    private func runWorker(slot: Slot, handler: Handler) {
        let request = LibFCGIRequest(listenSocket: listenSocket)
        let thread = LibFCGI.currentThread()
        while !isDraining {
            slot.state.withLock { $0 = .waiting(thread) }
            guard request.accept() else {
                if !isDraining {
                    // EMFILE and the like: do not spin on a persistent accept failure.
                    logger.warning("FCGX_Accept_r failed", metadata: ["errno": "\(errno)"])
                    Thread.sleep(forTimeInterval: 0.01)
                }
                continue
            }
            slot.state.withLock { $0 = .busy }
            serve(request, with: handler)
            // While draining, every connection is closed after its request so nginx moves to other instances.
            request.finish(keepConnection: !isDraining)
        }
        request.finish(keepConnection: false)
        slot.state.withLock { $0 = .exited }
    }

    private func serve(_ request: LibFCGIRequest, with handler: Handler) {
        let parameters = request.parameters()
        let expectedLength = parameters["CONTENT_LENGTH"].flatMap { Int($0) }
        let (body, exceeded) = request.readBody(limit: configuration.maxBodyBytes, expectedLength: expectedLength)
        let response = handler(
            FastCGIRequest(parameters: parameters, body: body, bodyExceededLimit: exceeded)
        )
        request.write(head: response.head, body: response.body)
    }
}
