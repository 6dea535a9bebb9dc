// SPDX-License-Identifier: Apache-2.0
import Synchronization

/// A thread-safe least-recently-used cache from strings to values, bounded both in entries and in the total size
/// of its keys (the query texts, which the parsed documents are proportional to).
///
/// The entries form a doubly linked list threaded through an array, so a hit, an insert and an eviction are
/// O(1) under one short lock.
public final class LRUCache<Value: Sendable>: Sendable {
    public struct Statistics: Sendable, Equatable {
        public var hits = 0
        public var misses = 0
        public var evictions = 0
        public var entries = 0
        public var keyBytes = 0
    }

    private struct Node {
        var key: String
        var value: Value
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

    public let maxEntries: Int
    public let maxKeyBytes: Int
    private let state = Mutex(State())

    public init(maxEntries: Int, maxKeyBytes: Int) {
        self.maxEntries = max(1, maxEntries)
        self.maxKeyBytes = max(1, maxKeyBytes)
    }

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

    /// Stores `value`. A key larger than `maxKeyBytes` on its own is not cached.
    public func insert(_ value: Value, forKey key: String) {
        let size = key.utf8.count
        guard size <= maxKeyBytes else { return }
        state.withLock { state in
            if let slot = state.index[key] {
                state.nodes[slot].value = value
                return
            }
            while state.statistics.entries >= maxEntries || state.statistics.keyBytes + size > maxKeyBytes {
                let victim = state.tail
                state.unlink(victim)
                let evictedKey = state.nodes[victim].key
                state.index[evictedKey] = nil
                state.statistics.entries -= 1
                state.statistics.keyBytes -= evictedKey.utf8.count
                state.statistics.evictions += 1
                state.nodes[victim].key = ""
                state.freeSlots.append(victim)
            }
            let node = Node(key: key, value: value, previous: -1, next: -1)
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
            state.statistics.keyBytes -= key.utf8.count
            state.nodes[slot].key = ""
            state.freeSlots.append(slot)
        }
    }

    public var statistics: Statistics { state.withLock { $0.statistics } }
}
