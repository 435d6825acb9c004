/// Self-clocked weighted fair queuing over scripts: each waiting call gets a finish tag
/// `max(V, the script's last tag) + 1/weight` and the smallest tag is served next, `V` being the
/// tag last served. A script with many waiting calls gets its weight's share and no more while
/// others wait; a script that was idle starts at `V`, so it neither saved credit nor lost turns
/// (work-conserving).
struct FairQueue<Item> {
    private struct Entry {
        let id: UInt64
        let tag: Double
        let item: Item
    }

    private struct Flow {
        var entries: [Entry] = []
        var head = 0
        var lastTag = 0.0
        var isEmpty: Bool { head == entries.count }
    }

    private var flows: [String: Flow] = [:]
    private var virtualTime = 0.0
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    /// Queues `item` of `script`; returns its tag.
    @discardableResult
    mutating func push(id: UInt64, script: String, weight: Int, item: Item) -> Double {
        var flow = flows[script] ?? Flow()
        let tag = max(virtualTime, flow.lastTag) + 1 / Double(max(1, weight))
        flow.lastTag = tag
        flow.entries.append(Entry(id: id, tag: tag, item: item))
        flows[script] = flow
        count += 1
        return tag
    }

    /// The waiting item with the smallest tag (ties: the earlier call) among the scripts
    /// `allowed` lets through, removed.
    mutating func pop(allowing allowed: (String) -> Bool = { _ in true }) -> (script: String, item: Item)? {
        var best: (script: String, tag: Double, id: UInt64)?
        for (script, flow) in flows where !flow.isEmpty && allowed(script) {
            let entry = flow.entries[flow.head]
            if best.map({ entry.tag < $0.tag || (entry.tag == $0.tag && entry.id < $0.id) }) ?? true {
                best = (script, entry.tag, entry.id)
            }
        }
        guard let best, var flow = flows[best.script] else { return nil }
        let entry = flow.entries[flow.head]
        flow.head += 1
        if flow.head > 64, flow.head * 2 > flow.entries.count {
            flow.entries.removeFirst(flow.head)
            flow.head = 0
        }
        virtualTime = max(virtualTime, entry.tag)
        count -= 1
        flows[best.script] = flow
        if count == 0 { reset() }
        return (best.script, entry.item)
    }

    /// Removes a waiting item (cancelled, or past its deadline).
    mutating func remove(id: UInt64, script: String) -> Item? {
        guard var flow = flows[script], let index = flow.entries[flow.head...].firstIndex(where: { $0.id == id }) else { return nil }
        let entry = flow.entries.remove(at: index)
        flows[script] = flow
        count -= 1
        if count == 0 { reset() }
        return entry.item
    }

    /// The scripts with calls waiting, and how many each.
    var waitingScripts: [(script: String, count: Int)] {
        flows.compactMap { $0.value.isEmpty ? nil : ($0.key, $0.value.entries.count - $0.value.head) }
    }

    /// How many waiting items are served before one with `tag` and `id`.
    func rank(tag: Double, id: UInt64) -> Int {
        var ahead = 0
        for flow in flows.values where !flow.isEmpty {
            // Tags grow along a flow: binary search for the first entry not ahead.
            var low = flow.head, high = flow.entries.count
            while low < high {
                let mid = (low + high) / 2
                let entry = flow.entries[mid]
                if entry.tag < tag || (entry.tag == tag && entry.id < id) { low = mid + 1 } else { high = mid }
            }
            ahead += low - flow.head
        }
        return ahead
    }

    /// With nobody waiting, tags start again from zero (no script carries credit or debt).
    private mutating func reset() {
        flows.removeAll(keepingCapacity: true)
        virtualTime = 0
    }
}
