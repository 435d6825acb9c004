import ScalevModel

/// An ordered collection of JSON records keyed by id. Ids sort numerically when numeric and
/// lexically otherwise (UUIDv7 ids therefore sort by creation time).
struct ResourceTable: Sendable, Codable {
    private(set) var records: [String: JSON] = [:]
    /// Sort keys in ascending order.
    private(set) var sortedKeys: [String] = []
    /// Records' serializations by sort key, filled as lists serve them (`serializedRecord(at:)`) and
    /// dropped whenever the record is set or removed. Not persisted.
    private var serialized: [String: [UInt8]] = [:]

    private enum CodingKeys: String, CodingKey {
        case records, sortedKeys
    }

    var count: Int { records.count }

    static func sortKey(_ id: String) -> String {
        if let number = Int(id), number >= 0 {
            let text = String(number)
            return "#" + String(repeating: "0", count: max(0, 18 - text.count)) + text
        }
        return id
    }

    static func id(fromSortKey key: String) -> String {
        guard key.hasPrefix("#") else { return key }
        let digits = key.dropFirst().drop { $0 == "0" }
        return digits.isEmpty ? "0" : String(digits)
    }

    subscript(id: String) -> JSON? {
        get { records[Self.sortKey(id)] }
        set {
            let key = Self.sortKey(id)
            serialized[key] = nil
            if let newValue {
                if records.updateValue(newValue, forKey: key) == nil { insertKey(key) }
            } else if records.removeValue(forKey: key) != nil {
                let index = lowerBound(key)
                if index < sortedKeys.count, sortedKeys[index] == key { sortedKeys.remove(at: index) }
            }
        }
    }

    subscript(id: Int) -> JSON? {
        get { self[String(id)] }
        set { self[String(id)] = newValue }
    }

    /// Records newest (highest id) first.
    var descending: [JSON] { sortedKeys.reversed().compactMap { records[$0] } }
    /// Records oldest (lowest id) first.
    var ascending: [JSON] { sortedKeys.compactMap { records[$0] } }

    /// The first record satisfying `predicate`, in ascending order.
    func first(where predicate: (JSON) -> Bool) -> JSON? {
        for key in sortedKeys { if let record = records[key], predicate(record) { return record } }
        return nil
    }

    mutating func removeAll() {
        records.removeAll()
        sortedKeys.removeAll()
        serialized.removeAll()
    }

    /// The index in `sortedKeys` of the first sort key not below `key` (`sortedKeys.count` when
    /// every key is below it): a binary search.
    func lowerBound(_ key: String) -> Int {
        var low = 0
        var high = sortedKeys.count
        while low < high {
            let middle = (low + high) / 2
            if sortedKeys[middle] < key { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// The record whose sort key is `sortedKeys[index]`.
    func record(at index: Int) -> JSON? {
        sortedKeys.indices.contains(index) ? records[sortedKeys[index]] : nil
    }

    /// The indices of `sortedKeys` below `end` of up to `limit` records satisfying `predicate`,
    /// nearest first (descending), visiting no more records than it takes to find them.
    func indices(below end: Int, limit: Int, where predicate: (JSON) -> Bool) -> [Int] {
        var found: [Int] = []
        var index = min(end, sortedKeys.count) - 1
        while index >= 0, found.count < limit {
            if let record = records[sortedKeys[index]], predicate(record) { found.append(index) }
            index -= 1
        }
        return found
    }

    /// The indices of `sortedKeys` from `start` on of up to `limit` records satisfying
    /// `predicate`, nearest first (ascending), visiting no more records than it takes to find them.
    func indices(from start: Int, limit: Int, where predicate: (JSON) -> Bool) -> [Int] {
        var found: [Int] = []
        var index = max(0, start)
        while index < sortedKeys.count, found.count < limit {
            if let record = records[sortedKeys[index]], predicate(record) { found.append(index) }
            index += 1
        }
        return found
    }

    /// The record at `index` of `sortedKeys` serialized (`JSON.encoded()`); kept until
    /// the record changes or goes, so that lists serve unchanged records without re-encoding them.
    mutating func serializedRecord(at index: Int) -> [UInt8]? {
        guard sortedKeys.indices.contains(index) else { return nil }
        let key = sortedKeys[index]
        if let bytes = serialized[key] { return bytes }
        guard let record = records[key] else { return nil }
        let bytes = record.encoded()
        serialized[key] = bytes
        return bytes
    }

    private mutating func insertKey(_ key: String) {
        if let last = sortedKeys.last, last < key {
            sortedKeys.append(key)
        } else {
            sortedKeys.insert(key, at: lowerBound(key))
        }
    }
}
