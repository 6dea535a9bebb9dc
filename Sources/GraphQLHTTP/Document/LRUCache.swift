// SPDX-License-Identifier: Apache-2.0
import Synchronization

/// A thread-safe least-recently-used cache from strings to values, bounded both in entries and in the total size
/// of its entries: each counts its key's UTF-8 bytes (a query text, which the parsed document is proportional to),
/// plus the bytes its value holds when the caller gives them (the persisted-query store's texts).
///
/// The entries form a doubly linked list threaded through an array, so a hit, an insert and an eviction are
/// O(1) under one short lock.
public final class LRUCache<Value: Sendable>: Sendable {
    /// The cache's counters since it was created, and its current size.
    public struct Statistics: Sendable, Equatable {
        /// Lookups that found their key.
        public var hits = 0
        /// Lookups that did not.
        public var misses = 0
        /// Entries dropped to make room (not those removed with `removeValue(forKey:)`).
        public var evictions = 0
        /// Entries held now.
        public var entries = 0
        /// Bytes held now: the keys' UTF-8 bytes plus the value bytes given at insertion.
        public var keyBytes = 0
    }

    private struct Node {
        var key: String
        var value: Value
        /// What this entry counts against `maxKeyBytes`.
        var size: Int
        var previous: Int
        var next: Int
    }

    private struct State {
        var index: [String: Int] = [:]
        var nodes: [Node] = []
        var freeSlots: [Int] = []
        var head = -1  // most recently used
        var tail = -1  // least recently used
        var statistics = Statistics()

        mutating func unlink(_ slot: Int) {
            let node = nodes[slot]
            if node.previous >= 0 { nodes[node.previous].next = node.next } else { head = node.next }
            if node.next >= 0 { nodes[node.next].previous = node.previous } else { tail = node.previous }
        }

        mutating func pushFront(_ slot: Int) {
            nodes[slot].previous = -1
            nodes[slot].next = head
            if head >= 0 { nodes[head].previous = slot }
            head = slot
            if tail < 0 { tail = slot }
        }
    }

    /// Most entries kept (at least 1); the least recently used goes first.
    public let maxEntries: Int
    /// Most bytes kept in all, keys and declared value bytes (at least 1).
    public let maxKeyBytes: Int
    private let state = Mutex(State())

    /// An empty cache; a bound below 1 is raised to 1.
    public init(maxEntries: Int, maxKeyBytes: Int) {
        self.maxEntries = max(1, maxEntries)
        self.maxKeyBytes = max(1, maxKeyBytes)
    }

    /// The value for `key`, now the most recently used, or nil; counted as a hit or a miss.
    public func value(forKey key: String) -> Value? {
        state.withLock { state in
            guard let slot = state.index[key] else {
                state.statistics.misses += 1
                return nil
            }
            state.statistics.hits += 1
            if state.head != slot {
                state.unlink(slot)
                state.pushFront(slot)
            }
            return state.nodes[slot].value
        }
    }

    /// Stores `value`, counting `key`'s UTF-8 bytes plus `valueBytes` against `maxKeyBytes`. An entry larger than
    /// that bound on its own is not cached.
    public func insert(_ value: Value, forKey key: String, valueBytes: Int = 0) {
        let (size, overflow) = key.utf8.count.addingReportingOverflow(max(0, valueBytes))
        guard !overflow, size <= maxKeyBytes else { return }
        state.withLock { state in
            if let slot = state.index[key] {
                state.statistics.keyBytes += size - state.nodes[slot].size
                state.nodes[slot].value = value
                state.nodes[slot].size = size
                return
            }
            while state.statistics.entries >= maxEntries || state.statistics.keyBytes + size > maxKeyBytes {
                let victim = state.tail
                state.unlink(victim)
                let evictedKey = state.nodes[victim].key
                state.index[evictedKey] = nil
                state.statistics.entries -= 1
                state.statistics.keyBytes -= state.nodes[victim].size
                state.statistics.evictions += 1
                state.nodes[victim].key = ""
                state.freeSlots.append(victim)
            }
            let node = Node(key: key, value: value, size: size, previous: -1, next: -1)
            let slot: Int
            if let free = state.freeSlots.popLast() {
                state.nodes[free] = node
                slot = free
            } else {
                state.nodes.append(node)
                slot = state.nodes.count - 1
            }
            state.pushFront(slot)
            state.index[key] = slot
            state.statistics.entries += 1
            state.statistics.keyBytes += size
        }
    }

    /// Removes the entry for `key`, if any.
    public func removeValue(forKey key: String) {
        state.withLock { state in
            guard let slot = state.index.removeValue(forKey: key) else { return }
            state.unlink(slot)
            state.statistics.entries -= 1
            state.statistics.keyBytes -= state.nodes[slot].size
            state.nodes[slot].key = ""
            state.freeSlots.append(slot)
        }
    }

    /// A snapshot of the counters.
    public var statistics: Statistics { state.withLock { $0.statistics } }
}
