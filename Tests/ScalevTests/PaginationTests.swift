import LunasTesting
import Scalev
import ScalevModel
import Testing

@Suite("Pagination", .testScope)
struct PaginationTests {
    @Test("walking 360 orders by next_cursor visits each once; v2 pages by last_id and by page number")
    func walks() async throws {
        let sandbox = try await TestSandbox.start(orders: 360)
        let pacer = RecordingPacer()
        let client = sandbox.client(.apiKey(sandbox.credentials.businessKey), pacer: pacer)
        let context = sandbox.context()
        var seen: [String] = []
        var cursor: String?
        var pages = 0
        repeat {
            var query = [("page_size", "25")]
            if let cursor { query.append(("next_cursor", cursor)) }
            let page = try await client.send(ScalevRequest(method: "GET", path: "/v3/orders", query: query), context: context).value
            #expect(page["is_paginated"] == true)
            seen += (page["data"].arrayValue ?? []).compactMap { $0["id"].stringValue }
            cursor = page["has_next"] == true ? page["next_cursor"].stringValue : nil
            pages += 1
        } while cursor != nil
        #expect(seen.count >= 360 && Set(seen).count == seen.count, "\(seen.count) orders, \(Set(seen).count) distinct, \(pages) pages")

        var v2Seen: [JSON] = []
        var lastID: String?
        repeat {
            var query = [("page_size", "25")]
            if let lastID { query.append(("last_id", lastID)) }
            let envelope = try await client.send(ScalevRequest(method: "GET", path: "/v2/orders", query: query), context: context).value
            #expect(envelope["code"] == 200 && envelope["status"] == "Success")
            let data = envelope["data"]
            try #require(!data.isNull)
            v2Seen += data["results"].arrayValue?.compactMap { $0["id"] } ?? []
            lastID = data["has_next"] == true ? data["last_id"].stringValue : nil
        } while lastID != nil
        #expect(v2Seen.count == seen.count && Set(v2Seen.compactMap(\.stringValue)) == Set(seen))

        var products = 0
        var page = 1
        while true {
            let data = try await client.send(ScalevRequest(method: "GET", path: "/v2/products", query: [("page", String(page)), ("page_size", "3")]), context: context).value["data"]
            products += data["results"].arrayValue?.count ?? 0
            guard data["has_next"] == true else {
                #expect(products == Int(data["total"].integerValue ?? -1))
                break
            }
            page += 1
        }
        #expect(products == 7 && page == 3)
        let missing = await sandbox.expectError { _ = try await client.send(ScalevRequest(method: "GET", path: "/v2/orders/nope"), context: context) }
        #expect(missing?.status == 404 && missing?.message.contains("not found") == true)
        #expect(pacer.admits.contains(BudgetKey(family: .v2, identity: "v2@\(sandbox.sandbox.baseURL.dropFirst(7))")))
        try await sandbox.stop()
    }
}
