import LunasTesting
import Scalev
import ScalevModel
import ScalevSandbox
import Testing

@Suite("Webhook signatures", .testScope)
struct WebhookSignatureTests {
    @Test("a delivery signed by the sandbox verifies with its secret")
    func sandboxDelivery() async throws {
        let sandbox = try await TestSandbox.start()
        let receiver = try await sandbox.harness.webhookReceiver()
        try await sandbox.admin("POST", "/webhooks", ["url": .string(receiver.url)])
        var iterator = receiver.deliveries.makeAsyncIterator()
        let delivery = try #require(await iterator.next())
        let signature = try #require(delivery.headers["x-scalev-hmac-sha256"])
        #expect(WebhookSignature.isValid(body: delivery.body, signature: signature, secret: sandbox.credentials.webhookSecret))
        #expect(!WebhookSignature.isValid(body: delivery.body, signature: signature, secret: "wrong-secret"))
        #expect(try JSON(parsing: delivery.body)["event"] == "business.test_event")
        try await receiver.stop()
        try await sandbox.stop()
    }
}
