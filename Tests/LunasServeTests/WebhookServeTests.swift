import Foundation
import LunasTesting
import ScalevModel
import ScalevSandbox
import Testing

/// `lunas serve` end to end over real HTTP: the sandbox delivers signed webhooks to a running
/// runner; a paid order triggers the rule, which tags the order through the API; a forged
/// signature gets 401 and runs nothing; a redelivered event runs nothing twice.
@Suite(.timeLimit(.minutes(3))) struct WebhookServeTests {
    static let rule = """
        on("order.payment_status_changed", function(event)
          if event.data.payment_status == "paid" then
            scalev.orders.add_tags(event.data.id, { "paid-rule" })
            log.info("tagged", { order = event.data.id })
          end
        end)
        """

    @Test func aPaidOrderTriggersTheRuleAndForgedOrRepeatedEventsRunNothing() async throws {
        try await SandboxHarness.with { harness in
            let folder = try ServeFolder(rules: ["paid_orders": Self.rule])
            let secret = harness.credentials.webhookSecret
            let serve = try ServeProcess(folder: folder.url, arguments: [], environment: [
                "SCALEV_API_KEY": harness.credentials.businessKey, "SCALEV_BASE_URL": harness.baseURL, "SCALEV_WEBHOOK_SECRET": secret,
            ])
            let port = try #require(await serve.port(), "serve did not start: \(serve.log.joined(separator: "\n"))")
            let hook = "http://127.0.0.1:\(port)/webhooks/scalev"
            let registered = try await harness.request("POST", "/_sandbox/webhooks", headers: [("Content-Type", "application/json")],
                                                       body: Array(#"{"url":"\#(hook)"}"#.utf8))
            #expect(registered.status == 201, "\(registered.text)")

            // an unpaid order is paid in the sandbox: its webhook runs the rule, which tags it
            let auth = [("Authorization", "Bearer \(harness.credentials.businessKey)"), ("Content-Type", "application/json")]
            let unpaid = try JSON(parsing: try await harness.request("GET", "/v3/orders?payment_status=unpaid&page_size=2", headers: auth).body)
            let orders = try #require(unpaid["data"]["results"].arrayValue ?? unpaid["data"].arrayValue)
            let id = try #require(orders.first?["id"].stringValue)
            let changed = try await harness.request("POST", "/v3/orders/change-status", headers: auth,
                                                    body: Array(#"{"ids":["\#(id)"],"payment_status":"paid"}"#.utf8))
            #expect(changed.status == 200, "\(changed.text)")
            let finished = await serve.line { line in
                let fields = ServeProcess.fields(line)
                return fields?["message"] == "run finished" && fields?["handler"] == "paid_orders:on:order.payment_status_changed"
            }
            #expect(ServeProcess.fields(try #require(finished))?["outcome"] == "ok", "\(serve.log.joined(separator: "\n"))")
            let order = try JSON(parsing: try await harness.request("GET", "/v3/orders/\(id)", headers: auth).body)
            #expect(order["tags"].arrayValue?.contains(.string("paid-rule")) == true, "\(order["tags"])")

            // a forged signature: 401, and nothing is stored or run
            let forged = Array(#"{"event":"order.payment_status_changed","unique_id":"forged-1","timestamp":"2026-12-02T00:00:00Z","data":{"id":1,"payment_status":"paid"}}"#.utf8)
            let refused = try await harness.post(hook, body: forged, signature: WebhookSignature.signature(body: forged, secret: "not-the-secret"))
            #expect(refused.status == 401)
            let unsigned = try await harness.post(hook, body: forged, signature: nil)
            #expect(unsigned.status == 401)

            // the same event twice: stored and run once
            let event = Array(#"{"event":"order.payment_status_changed","unique_id":"again-1","timestamp":"2026-12-02T00:00:00Z","data":{"id":"\#(id)","payment_status":"unpaid"}}"#.utf8)
            let signature = WebhookSignature.signature(body: event, secret: secret)
            let first = try await harness.post(hook, body: event, signature: signature)
            let second = try await harness.post(hook, body: event, signature: signature)
            #expect(first.status == 200 && second.status == 200)
            #expect(try JSON(parsing: first.body)["duplicate"] == .bool(false))
            #expect(try JSON(parsing: second.body)["duplicate"] == .bool(true))
            _ = await serve.line { ServeProcess.fields($0)?["trigger"] == "webhook:again-1" }
            let malformed = try await harness.post(hook, body: Array("{}".utf8), signature: WebhookSignature.signature(body: Array("{}".utf8), secret: secret))
            #expect(malformed.status == 400)

            #expect(await serve.stop() == 0, "\(serve.log.joined(separator: "\n"))")
            let runs = try LunasCommand.run(["runs", "list", "--json", "--limit", "100"], in: folder.url).lines.compactMap(ServeProcess.anyFields)
            #expect(runs.filter { $0["trigger"] as? String == "webhook:again-1" }.count == 1)
            let forgedRuns = runs.filter { ($0["trigger"] as? String)?.contains("forged") == true }
            #expect(forgedRuns.isEmpty)
            #expect(runs.contains { $0["handler"] as? String == "paid_orders:on:order.payment_status_changed" && $0["outcome"] as? String == "ok" })
        }
    }
}
