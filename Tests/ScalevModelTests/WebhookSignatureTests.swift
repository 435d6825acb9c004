import ScalevModel
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
}
