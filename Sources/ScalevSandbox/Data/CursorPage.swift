import Foundation

/// Cursor pagination over a list already in its fixed order, giving Scalev's envelope
/// `{data, is_paginated:true, has_next, has_previous, next_cursor, previous_cursor, page_size}`.
///
/// A cursor is opaque to clients: base64url of `n:<key>` (items after key) or `p:<key>` (items before
/// key), where key is the boundary item's id. Pages stay stable under inserts and deletes.
enum CursorPage {
    static func encode(_ direction: Character, _ key: String) -> String {
        Data("\(direction):\(key)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ cursor: String) -> (Character, String)? {
        var text = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        guard let data = Data(base64Encoded: text), let plain = String(data: data, encoding: .utf8),
            plain.count > 2, let direction = plain.first, direction == "n" || direction == "p",
            plain.dropFirst().first == ":"
        else { return nil }
        return (direction, String(plain.dropFirst(2)))
    }

    /// One page of `items` (each identified by `key`) for the request's cursors and page size.
    static func page(
        _ items: [JSONValue], key: (JSONValue) -> String, request: SandboxRequest, defaultSize: Int = 25, maximum: Int = 25
    ) throws -> JSONValue {
        let size = request.pageSize(default: defaultSize, maximum: maximum)
        let next = request.query["next_cursor"].flatMap { $0.isEmpty ? nil : $0 }
        let previous = request.query["previous_cursor"].flatMap { $0.isEmpty ? nil : $0 }
        if next != nil, previous != nil {
            throw APIError.badRequest("Send at most one of next_cursor and previous_cursor", code: "invalid_cursor")
        }
        var start = 0
        var end = min(size, items.count)
        if let cursor = next ?? previous {
            guard let (direction, boundary) = decode(cursor) else {
                throw APIError.badRequest("Invalid cursor", code: "invalid_cursor")
            }
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
        let hasNext = end < items.count
        let hasPrevious = start > 0
        return [
            "data": .array(slice), "is_paginated": true, "has_next": .bool(hasNext), "has_previous": .bool(hasPrevious),
            "next_cursor": hasNext ? slice.last.map { .string(encode("n", key($0))) } ?? .null : .null,
            "previous_cursor": hasPrevious ? slice.first.map { .string(encode("p", key($0))) } ?? .null : .null,
            "page_size": .int(size),
        ]
    }

    /// Where `boundary` would sit when the item it named was deleted; lists are sorted by key,
    /// descending or ascending, which is detected from the first and last items.
    private static func insertionIndex(_ items: [JSONValue], key: (JSONValue) -> String, boundary: String) -> Int {
        guard let first = items.first, let last = items.last else { return 0 }
        let descending = ResourceTable.sortKey(key(first)) >= ResourceTable.sortKey(key(last))
        let target = ResourceTable.sortKey(boundary)
        return items.firstIndex { item in
            let itemKey = ResourceTable.sortKey(key(item))
            return descending ? itemKey < target : itemKey > target
        } ?? items.count
    }
}
