import GraphQL
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

    @Test func valueBytesCountAgainstTheBudget() {
        let cache = LRUCache<String>(maxEntries: 100, maxKeyBytes: 1_000)
        for index in 0..<10 { cache.insert(String(repeating: "q", count: 300), forKey: "h\(index)", valueBytes: 300) }
        #expect(cache.statistics.entries == 3)  // 3 × 302 bytes fit in 1,000, a fourth does not
        #expect(cache.statistics.keyBytes == 906)
        cache.insert("short", forKey: "h9", valueBytes: 5)  // replacing an entry recounts it
        #expect(cache.statistics.keyBytes == 906 - 302 + 7)
        cache.insert("huge", forKey: "big", valueBytes: 2_000)  // larger than the budget on its own: not cached
        #expect(cache.value(forKey: "big") == nil)
        cache.removeValue(forKey: "h9")
        #expect(cache.statistics.keyBytes == 604)
    }

    /// The APQ store held up to 10,000 texts whatever their size (its byte bound counted the 64-byte hashes only).
    @Test func thePersistedQueryStoreBoundsItsTexts() {
        let store = PersistedQueries(mode: .automatic, maxEntries: 10_000, maxQueryBytes: 1 << 20)
        for index in 0..<40 {
            let text = "{ hello } # \(index) " + String(repeating: "x", count: 100_000)
            let parameters = GraphQLRequestParameters(query: text, extensions: ["persistedQuery": ["version": 1, "sha256Hash": .string(PersistedQueries.sha256(text))]])
            _ = store.resolve(parameters)
        }
        #expect(store.statistics.keyBytes <= 1 << 20)
        #expect(store.statistics.entries == 10)
    }

    @Test func reusesSlotsUnderChurn() {
        let cache = LRUCache<Int>(maxEntries: 8, maxKeyBytes: 1 << 20)
        for round in 0..<1_000 { cache.insert(round, forKey: "k\(round)") }
        #expect(cache.statistics.entries == 8)
        for round in 992..<1_000 { #expect(cache.value(forKey: "k\(round)") == round) }
    }
}
