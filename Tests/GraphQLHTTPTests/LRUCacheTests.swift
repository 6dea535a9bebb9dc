import Testing

@testable import GraphQLHTTP

@Suite struct LRUCacheTests {
    @Test func evictsTheLeastRecentlyUsedEntry() {
        let cache = LRUCache<Int>(maxEntries: 2, maxKeyBytes: 1_000)
        cache.insert(1, forKey: "a")
        cache.insert(2, forKey: "b")
        #expect(cache.value(forKey: "a") == 1)  // "b" is now the oldest
        cache.insert(3, forKey: "c")
        #expect(cache.value(forKey: "b") == nil)
        #expect(cache.value(forKey: "a") == 1)
        #expect(cache.value(forKey: "c") == 3)
        #expect(cache.statistics.evictions == 1)
    }

    @Test func staysWithinItsByteBudget() {
        let cache = LRUCache<Int>(maxEntries: 100, maxKeyBytes: 10)
        cache.insert(1, forKey: "aaaa")
        cache.insert(2, forKey: "bbbb")
        cache.insert(3, forKey: "cccc")  // 12 bytes: "aaaa" must go
        #expect(cache.value(forKey: "aaaa") == nil)
        #expect(cache.statistics.keyBytes == 8)
        cache.insert(4, forKey: String(repeating: "x", count: 11))  // larger than the whole budget: not cached
        #expect(cache.statistics.entries == 2)
    }

    @Test func reusesSlotsUnderChurn() {
        let cache = LRUCache<Int>(maxEntries: 8, maxKeyBytes: 1 << 20)
        for round in 0..<1_000 { cache.insert(round, forKey: "k\(round)") }
        #expect(cache.statistics.entries == 8)
        for round in 992..<1_000 { #expect(cache.value(forKey: "k\(round)") == round) }
    }
}
