import Testing
@testable import Verifier

@Suite("LRUStore")
struct LRUStoreTests {
    @Test("keys are kept most recently used first; touch and set move a key to the front")
    func recencyOrder() {
        var store = LRUStore<String, Int>(capacity: 4)
        store.set(1, for: "a")
        store.set(2, for: "b")
        store.set(3, for: "c")
        #expect(store.keysByRecency == ["c", "b", "a"])
        store.touch("a")
        #expect(store.keysByRecency == ["a", "c", "b"])
        store.set(20, for: "b")
        #expect(store.keysByRecency == ["b", "a", "c"])
        #expect(store.peek("b") == 20)
        #expect(store.count == 3)
    }

    @Test("peek does not change recency")
    func peekDoesNotTouch() {
        var store = LRUStore<String, Int>(capacity: 2)
        store.set(1, for: "a")
        store.set(2, for: "b")
        #expect(store.peek("a") == 1)
        let evicted = store.set(3, for: "c")
        #expect(evicted?.key == "a")
        #expect(evicted?.value == 1)
    }

    @Test("inserting into a full store evicts the least recently used; replacing evicts nothing")
    func eviction() {
        var store = LRUStore<String, Int>(capacity: 3)
        for (index, key) in ["a", "b", "c"].enumerated() { #expect(store.set(index, for: key) == nil) }
        store.touch("a")
        #expect(store.set(9, for: "b") == nil)  // replace: no eviction
        #expect(store.set(4, for: "d")?.key == "c")
        #expect(store.keysByRecency == ["d", "b", "a"])
        #expect(store.peek("c") == nil)
        #expect(store.count == 3)
    }

    @Test("removal unlinks from anywhere in the list, and freed slots are reused")
    func removal() {
        var store = LRUStore<Int, Int>(capacity: 5)
        for key in 0..<5 { store.set(key * 10, for: key) }
        #expect(store.remove(2) == 20)  // middle
        #expect(store.remove(4) == 40)  // newest
        #expect(store.remove(0) == 0)  // oldest
        #expect(store.remove(7) == nil)
        #expect(store.keysByRecency == [3, 1])
        for key in 10..<13 { #expect(store.set(key, for: key) == nil) }
        #expect(store.keysByRecency == [12, 11, 10, 3, 1])
        #expect(store.set(13, for: 13)?.key == 1)
        store.removeAll()
        #expect(store.count == 0)
        #expect(store.keysByRecency.isEmpty)
        store.set(1, for: 1)
        #expect(store.keysByRecency == [1])
    }

    @Test("capacity 1 keeps only the last key")
    func capacityOne() {
        var store = LRUStore<String, Int>(capacity: 0)  // taken as 1
        #expect(store.capacity == 1)
        store.set(1, for: "a")
        #expect(store.set(2, for: "b")?.key == "a")
        #expect(store.keysByRecency == ["b"])
        store.touch("b")
        #expect(store.keysByRecency == ["b"])
    }
}
