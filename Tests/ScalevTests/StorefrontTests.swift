import LunasTesting
import Scalev
import Testing

@Suite("Storefront guest", .testScope)
struct StorefrontTests {
    @Test("the guest token is taken from the first cart answer and sent again on cart and checkout calls")
    func guestCart() async throws {
        let sandbox = try await TestSandbox.start()
        let pacer = RecordingPacer()
        let client = sandbox.client(.storefront(publishableKey: sandbox.credentials.storefrontKey, storeID: sandbox.credentials.storeUniqueID), pacer: pacer)
        let context = sandbox.context()
        let cart = try await client.send(ScalevRequest(method: "GET", path: sandbox.storePath + "/public/cart"), context: context)
        #expect(cart.status == 200)
        let token = try #require(client.currentGuestToken)
        #expect(cart.header("X-Scalev-Guest-Token") == token)
        let added = try await client.send(
            ScalevRequest(method: "POST", path: sandbox.storePath + "/public/cart/items", body: ["type": "variant", "variant_id": 9006, "quantity": 2]), context: context)
        #expect(added.status == 201)
        #expect(client.currentGuestToken == token)
        let again = try await client.send(ScalevRequest(method: "GET", path: sandbox.storePath + "/public/cart"), context: context)
        #expect(again.value["items"][0]?["quantity"] == 2)
        let order = try await client.send(
            ScalevRequest(method: "POST", path: sandbox.storePath + "/public/checkout", body: ["customer_name": "Guest", "customer_email": "guest@example.com", "payment_method": "invoice"]),
            context: context)
        #expect(order.status == 201 && order.value["orderlines"][0]?["quantity"] == 2)
        let emptied = try await client.send(ScalevRequest(method: "GET", path: sandbox.storePath + "/public/cart"), context: context)
        #expect(emptied.value["items"] == [])
        #expect(Set(pacer.admits) == [BudgetKey(family: .storefront, identity: "storefront:\(sandbox.credentials.storeUniqueID)@\(sandbox.sandbox.baseURL.dropFirst(7))")])
        #expect(client.secrets.contains(token))
        try await sandbox.stop()
    }
}
