/// Maps `items` with at most `width` calls of `transform` in flight, returning the results in
/// input order (whatever order they finish in).
func boundedMap<Item: Sendable, Result: Sendable>(
    _ items: [Item], width: Int, _ transform: @escaping @Sendable (Item) async -> Result
) async -> [Result] {
    await withTaskGroup(of: (Int, Result).self) { group in
        var results = [Result?](repeating: nil, count: items.count)
        var next = 0
        func start(_ index: Int) {
            let item = items[index]
            group.addTask { (index, await transform(item)) }
        }
        while next < min(max(1, width), items.count) {
            start(next)
            next += 1
        }
        while let (index, result) = await group.next() {
            results[index] = result
            if next < items.count {
                start(next)
                next += 1
            }
        }
        return results.compactMap { $0 }
    }
}
