/// A bounded map that forgets its least recently used key first: O(1) lookup, touch, insert,
/// removal (a doubly linked list threaded through an array of slots). Bounded by a number of
/// keys and, optionally, by a total cost (estimated bytes) that each insertion states.
struct LRUStore<Key: Hashable, Value> {
    private struct Node {
        let key: Key
        var value: Value
        var cost: Int
        var newer: Int?
        var older: Int?
    }

    /// The most keys held; at least 1.
    let capacity: Int
    /// The most total cost held (`Int.max`: unbounded). An entry costing more than this alone
    /// is not kept at all.
    let maxCost: Int
    /// The total cost of the entries held.
    private(set) var totalCost = 0
    private var nodes: [Node?] = []
    private var slots: [Key: Int] = [:]
    private var freeSlots: [Int] = []
    private var newest: Int?
    private var oldest: Int?

    init(capacity: Int, maxCost: Int = .max) {
        self.capacity = max(1, capacity)
        self.maxCost = max(0, maxCost)
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
    /// room, if any (the count bound evicts at most one).
    @discardableResult
    mutating func set(_ value: Value, for key: Key) -> (key: Key, value: Value)? {
        insert(value, for: key, cost: 0).first
    }

    /// Stores `value` for `key`, costing `cost`, as the most recently used, then evicts the least
    /// recently used entries until both bounds hold again; returns them, oldest first. A value
    /// costing more than ``maxCost`` alone is not stored (any older value for `key` goes too)
    /// and is returned as the one evicted: it does not push everything else out.
    @discardableResult
    mutating func insert(_ value: Value, for key: Key, cost: Int) -> [(key: Key, value: Value)] {
        let cost = max(0, cost)
        guard cost <= maxCost else {
            remove(key)
            return [(key, value)]
        }
        if let slot = slots[key], let old = nodes[slot] {
            nodes[slot]?.value = value
            nodes[slot]?.cost = cost
            totalCost += cost - old.cost
            touch(key)
        } else {
            let node = Node(key: key, value: value, cost: cost, newer: nil, older: nil)
            let slot: Int
            if let reused = freeSlots.popLast() {
                nodes[reused] = node
                slot = reused
            } else {
                nodes.append(node)
                slot = nodes.count - 1
            }
            slots[key] = slot
            totalCost += cost
            pushNewest(slot)
        }
        var evicted: [(key: Key, value: Value)] = []
        while slots.count > capacity || totalCost > maxCost, let victim = oldest, let node = nodes[victim] {
            evicted.append((node.key, node.value))
            release(victim)
        }
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
        totalCost = 0
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
        totalCost -= node.cost
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
