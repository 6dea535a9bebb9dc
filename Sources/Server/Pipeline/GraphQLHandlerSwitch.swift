// SPDX-License-Identifier: Apache-2.0
public import GraphQLHTTP
import Synchronization

/// The GraphQL handler in service, replaced as a whole when SIGHUP reloads the schema. Requests already running
/// keep the handler they started with; the next request on each thread picks up the new one.
public final class GraphQLHandlerSwitch: Sendable {
    private let current: Mutex<GraphQLHTTPHandler>
    private let replacements = Atomic<Int>(0)

    /// A switch serving `handler` until it is replaced.
    public init(_ handler: GraphQLHTTPHandler) {
        current = Mutex(handler)
    }

    /// The handler in service now.
    public var handler: GraphQLHTTPHandler { current.withLock { $0 } }

    /// Bumped by every replacement, so a thread can notice one with a single atomic load per request.
    public var generation: Int { replacements.load(ordering: .acquiring) }

    /// Puts `handler` in service for the next requests, and bumps `generation`.
    public func replace(with handler: GraphQLHTTPHandler) {
        current.withLock { $0 = handler }
        replacements.add(1, ordering: .releasing)
    }
}

/// One worker thread's view of the switch: the handler it last saw and the per-thread document cache that
/// belongs to that handler's schema (a new schema starts with an empty one).
final class ThreadHandlerView {
    private let handlers: GraphQLHandlerSwitch
    private var seenGeneration = -1
    private(set) var handler: GraphQLHTTPHandler
    private(set) var documents = ThreadDocumentCache()

    init(_ handlers: GraphQLHandlerSwitch) {
        self.handlers = handlers
        handler = handlers.handler
    }

    /// Picks up a replaced handler; a relaxed check when nothing changed.
    func refresh() {
        let generation = handlers.generation
        guard generation != seenGeneration else { return }
        seenGeneration = generation
        handler = handlers.handler
        documents = ThreadDocumentCache()
    }
}
