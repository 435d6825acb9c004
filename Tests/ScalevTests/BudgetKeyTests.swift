import AsyncHTTPClient
import Scalev
import Testing

@Suite("Budget keys")
struct BudgetKeyTests {
    @Test("each credential family counts against its own budget; v2 per client address")
    func keys() {
        let configuration = ScalevClient.Configuration(baseURL: "https://api.scalev.com/")
        let key = ScalevClient(configuration: configuration, credential: .apiKey("abc"), http: HTTPClient.shared)
        #expect(key.budgetKey(for: "/v3/orders") == BudgetKey(family: .business, identity: "key:ba7816bf8f01cfea"))
        #expect(key.budgetKey(for: "/v2/orders") == BudgetKey(family: .v2, identity: "v2@api.scalev.com"))
        let oauth = key.bound(to: .oauth(OAuthInstallation(vaultName: "app", clientID: "c", clientSecret: "s", businessID: "business_1")))
        #expect(oauth.budgetKey(for: "/v3/orders") == BudgetKey(family: .business, identity: "oauth:app:business_1"))
        let storefront = key.bound(to: .storefront(publishableKey: "sfpk_x", storeID: "store_1"))
        #expect(storefront.budgetKey(for: "/v3/stores/store_1/public/cart") == BudgetKey(family: .storefront, identity: "storefront:store_1@api.scalev.com"))
        #expect(key.secrets == ["abc"] && storefront.secrets == ["sfpk_x"] && oauth.secrets == ["s"])
    }
}
