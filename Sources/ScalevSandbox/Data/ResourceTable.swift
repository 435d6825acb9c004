/// An ordered collection of JSON records keyed by id. Ids sort numerically when numeric and
/// lexically otherwise (UUIDv7 ids therefore sort by creation time).
struct ResourceTable: Sendable, Codable {
    private(set) var records: [String: JSONValue] = [:]
    /// Sort keys in ascending order.
    private(set) var sortedKeys: [String] = []

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

    subscript(id: String) -> JSONValue? {
        get { records[Self.sortKey(id)] }
        set {
            let key = Self.sortKey(id)
            if let newValue {
                if records.updateValue(newValue, forKey: key) == nil { insertKey(key) }
            } else if records.removeValue(forKey: key) != nil {
                if let index = position(of: key), index < sortedKeys.count, sortedKeys[index] == key {
                    sortedKeys.remove(at: index)
                }
            }
        }
    }

    subscript(id: Int) -> JSONValue? {
        get { self[String(id)] }
        set { self[String(id)] = newValue }
    }

    /// Records newest (highest id) first.
    var descending: [JSONValue] { sortedKeys.reversed().compactMap { records[$0] } }
    /// Records oldest (lowest id) first.
    var ascending: [JSONValue] { sortedKeys.compactMap { records[$0] } }

    /// The first record satisfying `predicate`, in ascending order.
    func first(where predicate: (JSONValue) -> Bool) -> JSONValue? {
        for key in sortedKeys { if let record = records[key], predicate(record) { return record } }
        return nil
    }

    mutating func removeAll() {
        records.removeAll()
        sortedKeys.removeAll()
    }

    private func position(of key: String) -> Int? {
        var low = 0
        var high = sortedKeys.count
        while low < high {
            let middle = (low + high) / 2
            if sortedKeys[middle] < key { low = middle + 1 } else { high = middle }
        }
        return low
    }

    private mutating func insertKey(_ key: String) {
        if let last = sortedKeys.last, last < key {
            sortedKeys.append(key)
        } else {
            sortedKeys.insert(key, at: position(of: key) ?? sortedKeys.count)
        }
    }
}
