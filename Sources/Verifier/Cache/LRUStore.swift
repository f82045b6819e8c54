/// A bounded map that forgets its least recently used key first: O(1) lookup, touch, insert,
/// removal (a doubly linked list threaded through an array of slots).
struct LRUStore<Key: Hashable, Value> {
    private struct Node {
        let key: Key
        var value: Value
        var newer: Int?
        var older: Int?
    }

    /// The most keys held; at least 1.
    let capacity: Int
    private var nodes: [Node?] = []
    private var slots: [Key: Int] = [:]
    private var freeSlots: [Int] = []
    private var newest: Int?
    private var oldest: Int?

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// The number of keys held.
    var count: Int { slots.count }

    /// The value for `key`, without changing its recency.
    func peek(_ key: Key) -> Value? {
        guard let slot = slots[key] else { return nil }
        return nodes[slot]?.value
    }

    /// Makes `key` the most recently used.
    mutating func touch(_ key: Key) {
        guard let slot = slots[key], slot != newest else { return }
        unlink(slot)
        pushNewest(slot)
    }

    /// Stores `value` for `key` as the most recently used; returns the entry evicted to make
    /// room, if any.
    @discardableResult
    mutating func set(_ value: Value, for key: Key) -> (key: Key, value: Value)? {
        if let slot = slots[key] {
            nodes[slot]?.value = value
            touch(key)
            return nil
        }
        var evicted: (key: Key, value: Value)?
        if slots.count >= capacity, let victim = oldest, let node = nodes[victim] {
            evicted = (node.key, node.value)
            release(victim)
        }
        let node = Node(key: key, value: value, newer: nil, older: nil)
        let slot: Int
        if let reused = freeSlots.popLast() {
            nodes[reused] = node
            slot = reused
        } else {
            nodes.append(node)
            slot = nodes.count - 1
        }
        slots[key] = slot
        pushNewest(slot)
        return evicted
    }

    /// Removes `key`; returns its value if it was held.
    @discardableResult
    mutating func remove(_ key: Key) -> Value? {
        guard let slot = slots[key] else { return nil }
        let value = nodes[slot]?.value
        release(slot)
        return value
    }

    /// Removes every key.
    mutating func removeAll() {
        nodes = []
        slots = [:]
        freeSlots = []
        newest = nil
        oldest = nil
    }

    /// The keys, most recently used first.
    var keysByRecency: [Key] {
        var keys: [Key] = []
        var cursor = newest
        while let slot = cursor, let node = nodes[slot] {
            keys.append(node.key)
            cursor = node.older
        }
        return keys
    }

    private mutating func release(_ slot: Int) {
        guard let node = nodes[slot] else { return }
        unlink(slot)
        slots[node.key] = nil
        nodes[slot] = nil
        freeSlots.append(slot)
    }

    private mutating func unlink(_ slot: Int) {
        guard let node = nodes[slot] else { return }
        if let newer = node.newer { nodes[newer]?.older = node.older } else { newest = node.older }
        if let older = node.older { nodes[older]?.newer = node.newer } else { oldest = node.newer }
        nodes[slot]?.newer = nil
        nodes[slot]?.older = nil
    }

    private mutating func pushNewest(_ slot: Int) {
        nodes[slot]?.newer = nil
        nodes[slot]?.older = newest
        if let current = newest { nodes[current]?.newer = slot }
        newest = slot
        if oldest == nil { oldest = slot }
    }
}
