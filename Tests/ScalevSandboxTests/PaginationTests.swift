import Foundation
import LunasTesting
import ScalevModel
import ScalevSandbox
import Testing

/// Cursor pages of the resource tables are found by binary search and built lazily; these tests
/// hold them to what scanning the whole filtered list gives (`ListScanReference`), for every
/// boundary of a list, both directions, several page sizes, filters and cursors naming ids that
/// are not on the list.
@Suite("Cursor pagination", .testScope)
struct PaginationTests {
    @Test("orders: every next/previous cursor gives the page a scan of the whole list gives, with and without filters")
    func ordersMatchListScan() async throws {
        let harness = try await SandboxHarness.start(SandboxConfiguration(seededOrderCount: 90, rateLimitingEnabled: false))
        let all = try await ListScanReference.walk(harness, "/v3/orders?")
        #expect(all.count >= 90)
        #expect(all == all.sorted { ListScanReference.sortKey($0) > ListScanReference.sortKey($1) })
        // A deleted order's id still places its cursor.
        let deleted = all[all.count / 2]
        #expect(try await harness.post("/v3/orders/delete", ["ids": [.string(deleted)]]).status == 200)
        let remaining = all.filter { $0 != deleted }
        #expect(try await ListScanReference.walk(harness, "/v3/orders?") == remaining)
        let completed = try await ListScanReference.walk(harness, "/v3/orders?status=completed&")
        #expect(!completed.isEmpty && completed.count < remaining.count)

        let outside = ["0", "zzzz", deleted, "00000000-0000-7000-8000-000000000000", "ffffffff-ffff-7fff-bfff-ffffffffffff"]
        for (prefix, list) in [("/v3/orders?", remaining), ("/v3/orders?status=completed&", completed)] {
            // Boundaries: every id of the list, ids filtered out of it, and ids of no order.
            let boundaries = list + remaining.filter { !list.contains($0) }.prefix(20) + outside
            for size in [1, 7, 25] {
                for boundary in size == 7 ? boundaries : Array(boundaries.prefix(12)) + outside {
                    for direction in ["n", "p"] {
                        let cursor = ListScanReference.encode(direction, boundary)
                        let name = direction == "n" ? "next_cursor" : "previous_cursor"
                        let page = try await harness.get("\(prefix)page_size=\(size)&\(name)=\(cursor)")
                        #expect(page.status == 200)
                        let expected = ListScanReference.page(list, size: size, cursor: (direction, boundary))
                        #expect(ListScanReference.summary(page.json) == expected, "\(prefix) size \(size) \(direction):\(boundary)")
                    }
                }
            }
            let first = try await harness.get("\(prefix)page_size=7")
            #expect(ListScanReference.summary(first.json) == ListScanReference.page(list, size: 7, cursor: nil))
        }
    }

    @Test("numeric ids: a cursor naming an id with leading zeros, a missing id, every id; customers and a generic collection")
    func numericIDsMatchListScan() async throws {
        let harness = try await SandboxHarness.start()
        for index in 0..<12 {
            #expect(try await harness.post("/v3/customers", ["name": .string("Pager \(index)"), "email": .string("pager\(index)@example.com")]).status == 200)
        }
        // A generic, catalog-driven collection (paginated in the catalog), one of its items deleted.
        let catalog = try OperationCatalog.bundled()
        #expect(catalog.operations.first { $0.method == "GET" && $0.path == "/v3/discount-codes" }?.isPaginated == true)
        var codes: [Int] = []
        for index in 0..<9 {
            let body: JSON = ["code": .string("PAGE\(index)"), "amount": 10, "amount_type": "percentage", "applied_to": "product"]
            codes.append(try #require(try await harness.post("/v3/discount-codes", body).json["id"].intValue))
        }
        #expect(try await harness.send("DELETE", "/v3/discount-codes/\(codes[4])", headers: harness.business).status == 204)
        for (prefix, expected) in [("/v3/customers?", nil), ("/v3/customers?search=pager&", 12), ("/v3/discount-codes?", 8)] {
            let list = try await ListScanReference.walk(harness, prefix)
            #expect(!list.isEmpty)
            if let expected { #expect(list.count == expected) } else { #expect(list.count > 12) }
            let extra = list.prefix(3).map { "0" + $0 } + list.suffix(2).map { "00" + $0 } + ["0", "999999999", "-4", "abc", String(codes[4])]
            for size in [1, 4, 25] {
                for boundary in list + extra {
                    for direction in ["n", "p"] {
                        let name = direction == "n" ? "next_cursor" : "previous_cursor"
                        let page = try await harness.get("\(prefix)page_size=\(size)&\(name)=\(ListScanReference.encode(direction, boundary))")
                        #expect(ListScanReference.summary(page.json) == ListScanReference.page(list, size: size, cursor: (direction, boundary)),
                            "\(prefix) size \(size) \(direction):\(boundary)")
                    }
                }
            }
        }
    }

    @Test("list bodies are canonical JSON, and a changed or deleted order is served changed at once")
    func servedBytesFollowChanges() async throws {
        let harness = try await SandboxHarness.start()
        for path in ["/v3/orders?page_size=5", "/v3/customers?page_size=5", "/v3/stores", "/v3/bundles", "/v3/orders?page_size=3&columns=status,tags"] {
            let reply = try await harness.get(path)
            #expect(reply.status == 200)
            #expect(reply.header("content-type") == "application/json; charset=utf-8")
            #expect(reply.body == reply.json.encoded(), "\(path) is not served as JSON.encoded() gives it")
        }
        let before = try await harness.get("/v3/orders?page_size=5").json
        let first = try #require(before["data"].arrayValue?.first)
        let id = try #require(first["id"].textValue)
        #expect(try await harness.patch("/v3/orders/\(id)", ["notes": "paged again"]).status == 200)
        let after = try await harness.get("/v3/orders?page_size=5")
        #expect(after.json["data"].arrayValue?.first?["notes"] == "paged again")
        #expect(after.json["data"].arrayValue?.first == (try await harness.get("/v3/orders/\(id)").json))
        #expect(after.body == after.json.encoded())
        #expect(try await harness.post("/v3/orders/\(id)/update-tags", ["tags": ["paged"]]).status == 200)
        #expect(try await harness.get("/v3/orders?page_size=5").json["data"].arrayValue?.first?["tags"] == ["paged"])
        #expect(try await harness.post("/v3/orders/delete", ["ids": [.string(id)]]).status == 200)
        let gone = try await harness.get("/v3/orders?page_size=5").json["data"].arrayValue ?? []
        #expect(!gone.contains { $0["id"].textValue == id })
        #expect(gone.first == before["data"].arrayValue?.dropFirst().first)
        // A new order goes first; a reset serves the new store.
        let created = try await harness.post("/v3/orders", try await harness.digitalOrderBody()).json
        #expect(try await harness.get("/v3/orders?page_size=1").json["data"].arrayValue?.first?["id"] == created["id"])
        try await harness.admin("POST", "/reset", ["orders": 10])
        let reseeded = try await harness.get("/v3/orders").json
        #expect((reseeded["data"].arrayValue ?? []).count >= 10 && reseeded["has_next"] == false)
        #expect(!(reseeded["data"].arrayValue ?? []).contains { $0["id"] == created["id"] })
    }

    @Test("cursor text: padded or unpadded base64url is read; malformed, empty-key, unknown-direction or non-ASCII cursors are 400")
    func cursorText() async throws {
        let harness = try await SandboxHarness.start()
        let list = try await ListScanReference.walk(harness, "/v3/orders?")
        let boundary = list[3]
        let expected = ListScanReference.page(list, size: 5, cursor: ("n", boundary))
        let unpadded = ListScanReference.encode("n", boundary)
        let padded = unpadded + String(repeating: "=", count: (4 - unpadded.utf8.count % 4) % 4)
        for cursor in [unpadded, padded.replacingOccurrences(of: "=", with: "%3D")] {
            #expect(ListScanReference.summary(try await harness.get("/v3/orders?page_size=5&next_cursor=\(cursor)").json) == expected)
        }
        for cursor in ["garbage", "bjo", ListScanReference.encode("x", boundary), "%C3%A9", "bjo%20x", "%2B%2F"] {
            let reply = try await harness.get("/v3/orders?next_cursor=\(cursor)")
            #expect(reply.status == 400 && reply.json["error_code"] == "invalid_cursor", "\(cursor)")
        }
        #expect(try await harness.get("/v3/orders?next_cursor=\(unpadded)&previous_cursor=\(unpadded)").status == 400)
    }

    @Test("v2 orders: last_id pages match a scan of the whole list")
    func v2OrdersMatchListScan() async throws {
        let harness = try await SandboxHarness.start()
        let all = try await ListScanReference.walk(harness, "/v3/orders?")
        let completed = try await ListScanReference.walk(harness, "/v3/orders?status=completed&")
        for (query, list) in [("", all), ("status=completed&", completed)] {
            for lastID in [nil, "0", "zzzz"] + all.map(Optional.some) {
                let path = "/v2/orders?\(query)page_size=7" + (lastID.map { "&last_id=\($0)" } ?? "")
                let data = try await harness.get(path).json["data"]
                let below = lastID.map { id in list.filter { ListScanReference.sortKey($0) < ListScanReference.sortKey(id) } } ?? list
                #expect((data["results"].arrayValue ?? []).compactMap { $0["id"].textValue } == Array(below.prefix(7)), "\(path)")
                #expect(data["has_next"] == .bool(below.count > 7), "\(path)")
            }
        }
    }
}

/// What the sandbox's cursor pages were when built by scanning the whole filtered list: the
/// reference the binary-searched pages are held to.
enum ListScanReference {
    struct Summary: Equatable, CustomStringConvertible {
        var ids: [String]
        var hasNext: Bool
        var hasPrevious: Bool
        var next: String?
        var previous: String?
        var description: String { "\(ids) next=\(hasNext) \(next ?? "-") previous=\(hasPrevious) \(previous ?? "-")" }
    }

    static func sortKey(_ id: String) -> String {
        if let number = Int(id), number >= 0 {
            let text = String(number)
            return "#" + String(repeating: "0", count: max(0, 18 - text.count)) + text
        }
        return id
    }

    static func encode(_ direction: String, _ key: String) -> String {
        Data("\(direction):\(key)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func summary(_ page: JSON) -> Summary {
        Summary(
            ids: (page["data"].arrayValue ?? []).compactMap { $0["id"].textValue }, hasNext: page["has_next"] == true,
            hasPrevious: page["has_previous"] == true, next: page["next_cursor"].textValue, previous: page["previous_cursor"].textValue)
    }

    /// The page of `ids` (the whole list, in served order) for a cursor, as the scan gave it.
    static func page(_ ids: [String], size: Int, cursor: (String, String)?) -> Summary {
        var start = 0
        var end = min(size, ids.count)
        if let (direction, boundary) = cursor {
            let index = ids.firstIndex(of: boundary) ?? insertionIndex(ids, boundary: boundary)
            if direction == "n" {
                start = ids.indices.contains(index) && ids[index] == boundary ? index + 1 : index
                end = min(start + size, ids.count)
            } else {
                end = index
                start = max(0, end - size)
            }
        }
        let slice = start < end ? Array(ids[start..<end]) : []
        let hasNext = end < ids.count
        let hasPrevious = start > 0
        return Summary(
            ids: slice, hasNext: hasNext, hasPrevious: hasPrevious, next: hasNext ? slice.last.map { encode("n", $0) } : nil,
            previous: hasPrevious ? slice.first.map { encode("p", $0) } : nil)
    }

    private static func insertionIndex(_ ids: [String], boundary: String) -> Int {
        guard let first = ids.first, let last = ids.last else { return 0 }
        let descending = sortKey(first) >= sortKey(last)
        let target = sortKey(boundary)
        return ids.firstIndex { descending ? sortKey($0) < target : sortKey($0) > target } ?? ids.count
    }

    /// Every id of a cursor-paged list, by `next_cursor`; `prefix` ends in `?` or `&`.
    static func walk(_ harness: SandboxHarness, _ prefix: String) async throws -> [String] {
        var ids: [String] = []
        var cursor: String?
        repeat {
            let page = try await harness.get(prefix + "page_size=25" + (cursor.map { "&next_cursor=\($0)" } ?? "")).json
            ids += (page["data"].arrayValue ?? []).compactMap { $0["id"].textValue }
            cursor = page["has_next"] == true ? page["next_cursor"].textValue : nil
        } while cursor != nil
        return ids
    }
}
