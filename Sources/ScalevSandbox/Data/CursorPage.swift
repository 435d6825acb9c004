import Foundation
import ScalevModel

/// Cursor pagination over a list already in its fixed order, giving Scalev's envelope
/// `{data, is_paginated:true, has_next, has_previous, next_cursor, previous_cursor, page_size}`.
///
/// A cursor is opaque to clients: base64url of `n:<key>` (items after key) or `p:<key>` (items before
/// key), where key is the boundary item's id. Pages stay stable under inserts and deletes.
enum CursorPage {
    static func encode(_ direction: Character, _ key: String) -> String {
        let base64 = Data("\(direction):\(key)".utf8).base64EncodedString()
        var text: [UInt8] = []
        text.reserveCapacity(base64.utf8.count)
        for byte in base64.utf8 {
            switch byte {
            case UInt8(ascii: "+"): text.append(UInt8(ascii: "-"))
            case UInt8(ascii: "/"): text.append(UInt8(ascii: "_"))
            case UInt8(ascii: "="): continue
            default: text.append(byte)
            }
        }
        return String(decoding: text, as: UTF8.self)
    }

    static func decode(_ cursor: String) -> (Character, String)? {
        // base64url to base64, padded. (A cursor with any non-ASCII byte is no base64.)
        var text = cursor.utf8.map { byte -> UInt8 in
            switch byte {
            case UInt8(ascii: "-"): UInt8(ascii: "+")
            case UInt8(ascii: "_"): UInt8(ascii: "/")
            default: byte
            }
        }
        while text.count % 4 != 0 { text.append(UInt8(ascii: "=")) }
        guard let data = Data(base64Encoded: Data(text)), let plain = String(data: data, encoding: .utf8),
            plain.count > 2, let direction = plain.first, direction == "n" || direction == "p",
            plain.dropFirst().first == ":"
        else { return nil }
        return (direction, String(plain.dropFirst(2)))
    }

    /// One page of `items` (each identified by `key`) for the request's cursors and page size.
    static func page(
        _ items: [JSON], key: (JSON) -> String, request: SandboxRequest, defaultSize: Int = 25, maximum: Int = 25
    ) throws -> JSON {
        let size = request.pageSize(default: defaultSize, maximum: maximum)
        var start = 0
        var end = min(size, items.count)
        if let (direction, boundary) = try cursor(request) {
            let index = items.firstIndex { key($0) == boundary } ?? insertionIndex(items, key: key, boundary: boundary)
            if direction == "n" {
                start = items.indices.contains(index) && key(items[index]) == boundary ? index + 1 : index
                end = min(start + size, items.count)
            } else {
                end = index
                start = max(0, end - size)
            }
        }
        let slice = start < end ? Array(items[start..<end]) : []
        return envelope(slice, key: key, hasNext: end < items.count, hasPrevious: start > 0, size: size)
    }

    /// The request's cursor, direction and boundary key; `nil` for the first page.
    private static func cursor(_ request: SandboxRequest) throws -> (Character, String)? {
        let next = request.query["next_cursor"].flatMap { $0.isEmpty ? nil : $0 }
        let previous = request.query["previous_cursor"].flatMap { $0.isEmpty ? nil : $0 }
        if next != nil, previous != nil {
            throw APIError.badRequest("Send at most one of next_cursor and previous_cursor", code: "invalid_cursor")
        }
        guard let cursor = next ?? previous else { return nil }
        guard let decoded = decode(cursor) else { throw APIError.badRequest("Invalid cursor", code: "invalid_cursor") }
        return decoded
    }

    /// The envelope of a page holding `slice`.
    private static func envelope(
        _ slice: [JSON], key: (JSON) -> String, hasNext: Bool, hasPrevious: Bool, size: Int
    ) -> JSON {
        var members = envelopeMembers(
            firstKey: slice.first.map(key), lastKey: slice.last.map(key), hasNext: hasNext, hasPrevious: hasPrevious, size: size)
        members["data"] = .array(slice)
        return .object(members)
    }

    /// The envelope's members but `data`, for a page whose first and last items have these keys.
    private static func envelopeMembers(
        firstKey: String?, lastKey: String?, hasNext: Bool, hasPrevious: Bool, size: Int
    ) -> [String: JSON] {
        [
            "is_paginated": true, "has_next": .bool(hasNext), "has_previous": .bool(hasPrevious),
            "next_cursor": hasNext ? lastKey.map { .string(encode("n", $0)) } ?? .null : .null,
            "previous_cursor": hasPrevious ? firstKey.map { .string(encode("p", $0)) } ?? .null : .null,
            "page_size": .int(size),
        ]
    }

    /// One page of the records of `table` newest (highest sort key) first, those satisfying
    /// `predicate`, each served as `transform(record)`: the same page as
    /// `page(table.descending.filter(predicate).map(transform), …)`, found by binary search of the
    /// cursor's boundary in the table's sorted keys and built lazily, so that a page costs
    /// O(page size + log n) when few records fail `predicate`.
    ///
    /// `key` must give each transformed record its table id (the table's records are stored under
    /// their `id`, and transforms keep it).
    static func page(
        _ table: ResourceTable, where predicate: (JSON) -> Bool = { _ in true }, transform: (JSON) -> JSON = { $0 },
        key: (JSON) -> String, request: SandboxRequest, defaultSize: Int = 25, maximum: Int = 25
    ) throws -> JSON {
        let size = request.pageSize(default: defaultSize, maximum: maximum)
        let selection = try select(table, where: predicate, transform: transform, key: key, request: request, size: size)
        let slice = selection.indices.compactMap { table.record(at: $0).map(transform) }
        return envelope(slice, key: key, hasNext: selection.hasNext, hasPrevious: selection.hasPrevious, size: size)
    }

    /// `page(table, where: predicate, key: key, …)` serialized, byte for byte as
    /// `JSON.encoded()` gives it, from the table's cached serializations of its records
    /// (`ResourceTable.serializedRecord(at:)`), which this fills.
    static func serializedPage(
        _ table: inout ResourceTable, where predicate: (JSON) -> Bool = { _ in true }, key: (JSON) -> String,
        request: SandboxRequest, defaultSize: Int = 25, maximum: Int = 25
    ) throws -> [UInt8] {
        let size = request.pageSize(default: defaultSize, maximum: maximum)
        let selection = try select(table, where: predicate, transform: { $0 }, key: key, request: request, size: size)
        // The envelope but `data`, which sorts before every other member, so goes first.
        let rest = JSON.object(envelopeMembers(
            firstKey: selection.indices.first.flatMap(table.record(at:)).map(key), lastKey: selection.indices.last.flatMap(table.record(at:)).map(key),
            hasNext: selection.hasNext, hasPrevious: selection.hasPrevious, size: size))
        let items = selection.indices.compactMap { table.serializedRecord(at: $0) }
        var out: [UInt8] = []
        out.reserveCapacity(items.reduce(64) { $0 + $1.count + 1 } + 256)
        out.append(contentsOf: #"{"data":["#.utf8)
        for (position, item) in items.enumerated() {
            if position > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: item)
        }
        out.append(contentsOf: "],".utf8)
        out.append(contentsOf: rest.encoded().dropFirst())
        return out
    }

    /// Which records of `table` a page holds (indices of `table.sortedKeys`, in served order) and
    /// whether items precede and follow it.
    private static func select(
        _ table: ResourceTable, where predicate: (JSON) -> Bool, transform: (JSON) -> JSON, key: (JSON) -> String,
        request: SandboxRequest, size: Int
    ) throws -> (indices: ArraySlice<Int>, hasNext: Bool, hasPrevious: Bool) {
        func below(_ end: Int, limit: Int) -> [Int] { table.indices(below: end, limit: limit, where: predicate) }
        func above(_ start: Int, limit: Int) -> [Int] { table.indices(from: start, limit: limit, where: predicate) }
        guard let (direction, boundary) = try cursor(request) else {
            // The first page, and one record more to know whether there is a next.
            let found = below(table.count, limit: size + 1)
            return (found.prefix(size), found.count > size, false)
        }
        // The served list is descending by sort key. `lower` is where the boundary's sort key sits
        // among the ascending keys; `onList` is whether the boundary item itself is on the list.
        let target = ResourceTable.sortKey(boundary)
        let lower = table.lowerBound(target)
        let onList = table.sortedKeys.indices.contains(lower) && table.sortedKeys[lower] == target
            && table.record(at: lower).map { predicate($0) && key(transform($0)) == boundary } == true
        if direction == "n" {
            // After the boundary: the items with lower sort keys (whether or not it is on the list).
            let found = below(lower, limit: size + 1)
            return (found.prefix(size), found.count > size, onList || !above(lower, limit: 1).isEmpty)
        }
        // Before the boundary: the items with higher sort keys, and the item at the boundary's sort
        // key when it is not the boundary item (a cursor naming an id the list does not hold).
        let start = onList ? lower + 1 : lower
        let found = above(start, limit: size + 1)
        return (ArraySlice(found.prefix(size).reversed()), onList || !below(start, limit: 1).isEmpty, found.count > size)
    }

    /// Where `boundary` would sit when the item it named was deleted; lists are sorted by key,
    /// descending or ascending, which is detected from the first and last items.
    private static func insertionIndex(_ items: [JSON], key: (JSON) -> String, boundary: String) -> Int {
        guard let first = items.first, let last = items.last else { return 0 }
        let descending = ResourceTable.sortKey(key(first)) >= ResourceTable.sortKey(key(last))
        let target = ResourceTable.sortKey(boundary)
        return items.firstIndex { item in
            let itemKey = ResourceTable.sortKey(key(item))
            return descending ? itemKey < target : itemKey > target
        } ?? items.count
    }
}
