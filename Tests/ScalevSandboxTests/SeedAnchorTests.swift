import Foundation
import LunasTesting
import ScalevModel
import ScalevSandbox
import Testing

/// The seeded history ends at an anchor: by default 00:00 UTC of the day the sandbox starts.
@Suite("Seed anchor", .testScope)
struct SeedAnchorTests {
    /// Every order, newest first, by walking the pages.
    static func orders(_ harness: SandboxHarness) async throws -> [JSON] {
        var orders: [JSON] = [], cursor: String?
        repeat {
            let page = try await harness.get("/v3/orders?page_size=25" + (cursor.map { "&next_cursor=\($0)" } ?? "")).json
            orders += page["data"].arrayValue ?? []
            cursor = page["has_next"] == true ? page["next_cursor"].textValue : nil
        } while cursor != nil
        return orders
    }

    static func day(_ epoch: Double) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        return formatter.string(from: Date(timeIntervalSince1970: epoch))
    }

    @Test("by default the history ends before today (00:00 UTC) and spans the six months before it: 361 orders")
    func defaultAnchorIsToday() async throws {
        let harness = try await SandboxHarness.start(SandboxConfiguration(rateLimitingEnabled: false))
        let orders = try await Self.orders(harness)
        #expect(orders.count == 361)
        let today = (Date().timeIntervalSince1970 / 86_400).rounded(.down) * 86_400
        let created = orders.compactMap { $0["created_at"].textValue }
        #expect(created.allSatisfy { $0 < Self.day(today) }, "\(created.prefix(3))")
        #expect(created.contains { $0 >= Self.day(today - 7 * 86_400) }, "recent orders exist: \(created.prefix(3))")
        #expect(created.allSatisfy { $0 >= Self.day(today - 182 * 86_400) }, "\(created.suffix(3))")
    }

    @Test("the same seed and anchor give the same orders; another anchor moves their dates and ids, not their content")
    func anchorPinsTheData() async throws {
        let old = SandboxConfiguration.anchor(parsing: "2025-01-01")
        #expect(old == Date(timeIntervalSince1970: 1_735_689_600))
        #expect(SandboxConfiguration.anchor(parsing: "2025-02-30") == nil && SandboxConfiguration.anchor(parsing: "2025-01-01T00:00Z") == nil)
        let first = try await Self.orders(SandboxHarness.start(SandboxConfiguration(anchor: old, rateLimitingEnabled: false)))
        let again = try await Self.orders(SandboxHarness.start(SandboxConfiguration(anchor: old, rateLimitingEnabled: false)))
        let later = try await Self.orders(SandboxHarness.start(SandboxConfiguration(
            anchor: SandboxConfiguration.anchor(parsing: "2026-06-01"), rateLimitingEnabled: false)))
        #expect(first.map { $0["id"] } == again.map { $0["id"] })
        #expect(first.first?["created_at"].textValue?.hasPrefix("2024-12") == true, "\(first.first?["created_at"] ?? .null)")
        #expect(later.first?["created_at"].textValue?.hasPrefix("2026-05") == true, "\(later.first?["created_at"] ?? .null)")
        #expect(Set(first.map { $0["id"] }).isDisjoint(with: later.map { $0["id"] }))
        let content = { (orders: [JSON]) in orders.map { [$0["status"], $0["payment_status"], $0["gross_revenue"], $0["customer_email"], $0["tags"]] } }
        #expect(content(first) == content(later))
    }
}
