import Scalev
import ScalevSandbox
import Testing

@Suite("Webhook signatures")
struct WebhookSignatureTests {
    @Test("a known HMAC-SHA256 vector, tampering and garbage")
    func vector() {
        let body = Array("The quick brown fox jumps over the lazy dog".utf8)
        let signature = "97yD9DBThCSxMpjmqm+xQ+9NWaFJRhdZl0edvC0aPNg="
        #expect(WebhookSignature.signature(body: body, secret: "key") == signature)
        #expect(WebhookSignature.isValid(body: body, signature: signature, secret: "key"))
        #expect(!WebhookSignature.isValid(body: body + [0x20], signature: signature, secret: "key"))
        #expect(!WebhookSignature.isValid(body: body, signature: signature, secret: "other"))
        #expect(!WebhookSignature.isValid(body: body, signature: "not base64!", secret: "key"))
        #expect(!WebhookSignature.isValid(body: body, signature: "", secret: "key"))
    }

    @Test("a delivery signed by the sandbox verifies with its secret")
    func sandboxDelivery() async throws {
        let sandbox = try await TestSandbox.start()
        let receiver = try await WebhookReceiver.start()
        try await sandbox.admin("POST", "/webhooks", ["url": .string(receiver.url)])
        var iterator = receiver.deliveries.makeAsyncIterator()
        let delivery = try #require(await iterator.next())
        let signature = try #require(delivery.headers["x-scalev-hmac-sha256"])
        #expect(WebhookSignature.isValid(body: delivery.body, signature: signature, secret: sandbox.credentials.webhookSecret))
        #expect(!WebhookSignature.isValid(body: delivery.body, signature: signature, secret: "wrong-secret"))
        #expect(try JSON(parsing: delivery.body)["event"] == "business.test_event")
        await receiver.stop()
        await sandbox.stop()
    }
}
