import Crypto
import Foundation
import LunasTesting
import ScalevModel
import ScalevSandbox
import Testing

@Suite("Webhooks", .testScope)
struct WebhookTests {
    static func verify(_ delivery: WebhookReceiver.Delivery, secret: String) -> Bool {
        let mac = HMAC<SHA256>.authenticationCode(for: delivery.body, using: SymmetricKey(data: Data(secret.utf8)))
        return delivery.headers["x-scalev-hmac-sha256"] == Data(mac).base64EncodedString()
    }

    @Test("registration sends business.test_event; order events are signed and retried")
    func signedDeliveries() async throws {
        let harness = try await SandboxHarness.start(SandboxConfiguration(seededOrderCount: 60, rateLimitingEnabled: false, webhookRetryDelay: 0.05))
        // The second delivery (order.created) fails once and is retried.
        let receiver = try await harness.webhookReceiver(statuses: [200, 500])
        var deliveries = receiver.deliveries.makeAsyncIterator()
        let registered = try await harness.admin("POST", "/webhooks", ["url": .string(receiver.url)])
        #expect(registered.status == 201)
        let test = try #require(await deliveries.next())
        let secret = harness.credentials.webhookSecret
        #expect(Self.verify(test, secret: secret))
        let testEvent = try #require(JSON.parse(test.body))
        #expect(testEvent["event"] == "business.test_event" && testEvent["data"] == [:])
        #expect(testEvent["unique_id"].textValue?.hasPrefix("event_") ?? false)

        let order = try await harness.post("/v3/orders", try await harness.digitalOrderBody()).json
        let failed = try #require(await deliveries.next())
        #expect(failed.answeredStatus == 500)
        let created = try #require(await deliveries.next())
        #expect(created.body == failed.body)
        #expect(Self.verify(created, secret: secret))
        let envelope = try #require(JSON.parse(created.body))
        #expect(envelope["event"] == "order.created" && envelope["data"]["id"] == order["id"])
        #expect(envelope["timestamp"].textValue != nil)

        let id = order["id"]
        _ = try await harness.post("/v3/orders/change-status", ["ids": [id], "status": "confirmed", "payment_status": "paid"])
        let status = try #require(await deliveries.next())
        let payment = try #require(await deliveries.next())
        #expect(JSON.parse(status.body)?["event"] == "order.status_changed")
        #expect(JSON.parse(payment.body)?["event"] == "order.payment_status_changed")
        _ = try await harness.post("/v3/orders/delete", ["ids": [id]])
        let deleted = try #require(await deliveries.next())
        let deletedEvent = try #require(JSON.parse(deleted.body))
        #expect(deletedEvent["event"] == "order.deleted" && deletedEvent["data"]["id"] == id)
        #expect(Self.verify(deleted, secret: secret))
        #expect(!Self.verify(deleted, secret: "wrong"))
        #expect(WebhookSignature.isValid(body: deleted.body, signature: deleted.headers["x-scalev-hmac-sha256"] ?? "", secret: secret))
    }

    @Test("an endpoint that fails the test event is not saved")
    func failedRegistration() async throws {
        let harness = try await SandboxHarness.start()
        let receiver = try await harness.webhookReceiver(statuses: [500])
        let reply = try await harness.admin("POST", "/webhooks", ["url": .string(receiver.url)])
        #expect(reply.status == 422 && reply.json["error_code"] == "webhook_test_failed")
        #expect(try await harness.admin("GET", "/webhooks").json["data"] == [])
    }
}
