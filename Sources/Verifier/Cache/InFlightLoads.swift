/// The bookkeeping of an ``EvidenceCache``'s running loads: which load a key's new requests
/// join, who waits for each load, the tasks to cancel when it ends, and the background slot a
/// load holds once nobody waits for it.
struct InFlightLoads<Key: Hashable & Sendable, Value: Sendable> {
    /// What a load ended with, as handed to each of its waiters.
    enum Resolution: Sendable {
        case value(Value)
        case stale(Value, age: Duration)
        case negative(DefiniteNegative)
        case failure(any Error)
    }

    typealias Waiter = CheckedContinuation<Resolution, any Error>

    struct Load {
        let key: Key
        var waiters: [UInt64: Waiter] = [:]
        var tasks: [Task<Void, Never>] = []
        /// Held while the load runs with no caller waiting (see ``VerificationSlots``).
        var slot: VerificationSlots.Slot?
    }

    private var loads: [UInt64: Load] = [:]
    private var current: [Key: UInt64] = [:]
    private var waiting: [UInt64: UInt64] = [:]  // waiter → load
    private var nextID: UInt64 = 0

    /// The number of loads running, joinable or detached.
    var count: Int { loads.count }

    /// The number of loads holding a background slot.
    var backgroundCount: Int { loads.values.reduce(0) { $0 + ($1.slot == nil ? 0 : 1) } }

    /// The load new requests for `key` join, if one is running.
    func joinable(for key: Key) -> UInt64? { current[key] }

    /// Registers a new load for `key`, which new requests for `key` join from now on.
    mutating func begin(_ key: Key) -> UInt64 {
        let id = makeID()
        loads[id] = Load(key: key)
        current[key] = id
        return id
    }

    /// Remembers a task to cancel when load `id` ends.
    mutating func attach(_ task: Task<Void, Never>, to id: UInt64) {
        loads[id]?.tasks.append(task)
    }

    /// An id for a waiter, known before it waits (so its cancellation handler can name it).
    mutating func reserveWaiterID() -> UInt64 { makeID() }

    /// Adds `waiter` to load `id`; false when that load has already ended.
    mutating func addWaiter(_ waiter: Waiter, id waiterID: UInt64, to id: UInt64) -> Bool {
        guard loads[id] != nil else { return false }
        loads[id]?.waiters[waiterID] = waiter
        waiting[waiterID] = id
        return true
    }

    /// Takes a waiter out of its load (it stops waiting); nil when it was already resumed or
    /// has not been added yet.
    mutating func removeWaiter(_ waiterID: UInt64) -> Waiter? {
        guard let id = waiting.removeValue(forKey: waiterID) else { return nil }
        return loads[id]?.waiters.removeValue(forKey: waiterID)
    }

    /// Takes a waiter out of its load, like ``removeWaiter(_:)``, and says which load it left and
    /// whether that load now has no waiter and no background slot (an orphan).
    mutating func leave(_ waiterID: UInt64) -> (waiter: Waiter, load: UInt64, orphaned: Bool)? {
        guard let id = waiting[waiterID], let waiter = removeWaiter(waiterID), let load = loads[id] else { return nil }
        return (waiter, id, load.waiters.isEmpty && load.slot == nil)
    }

    /// Lets load `id` hold `slot` until it ends.
    mutating func give(_ slot: VerificationSlots.Slot, to id: UInt64) {
        loads[id]?.slot = slot
    }

    /// New requests for `key` no longer join its running load: they start a fresh one. The
    /// detached load still resolves its waiters.
    mutating func detach(_ key: Key) {
        current[key] = nil
    }

    /// ``detach(_:)`` for every key.
    mutating func detachAll() {
        current.removeAll()
    }

    /// Ends load `id`: returns it and whether it was still the joinable load of its key (whose
    /// outcome may be stored), or nil when it had already ended.
    mutating func end(_ id: UInt64) -> (load: Load, isCurrent: Bool)? {
        guard let load = loads.removeValue(forKey: id) else { return nil }
        for waiterID in load.waiters.keys { waiting[waiterID] = nil }
        let isCurrent = current[load.key] == id
        if isCurrent { current[load.key] = nil }
        return (load, isCurrent)
    }

    private mutating func makeID() -> UInt64 {
        nextID &+= 1
        return nextID
    }
}
