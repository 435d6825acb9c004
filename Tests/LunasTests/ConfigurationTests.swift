import Foundation
import LunasRuntime
import LunasStore
import Testing

@Suite("lunas.toml")
struct ConfigurationTests {
    static let sample = """
        base_url = "https://api.scalev.com"
        default_credential = "main"

        [credentials.main]
        kind = "api_key"
        secret_env = "SCALEV_API_KEY"
        budget = ["100/10s", "10000/1h"]

        [credentials.shop]
        kind = "storefront"
        store = "store_abc"
        publishable_key = "sfpk_abc"

        [scripts.vip]
        credential = "main"
        grants = ["main"]
        shared = ["common"]
        weight = 2
        timeout = 30
        max_calls = 500
        """

    @Test("a full file reads into credentials and scripts")
    func reads() throws {
        let configuration = try LunasConfiguration(toml: Self.sample, file: "lunas.toml")
        #expect(configuration.baseURL == "https://api.scalev.com" && configuration.defaultCredential == "main")
        #expect(configuration.credentials["main"] == CredentialEntry(name: "main", kind: .apiKey, secretEnvironment: "SCALEV_API_KEY", budget: ["100/10s", "10000/1h"]))
        #expect(configuration.credentials["shop"]?.storeID == "store_abc")
        #expect(configuration.scripts["vip"] == ScriptEntry(name: "vip", credential: "main", grants: ["main"], shared: ["common"], weight: 2, timeout: 30, maxCalls: 500))
    }

    @Test("[kv] sets the quota of every namespace; without it, the defaults")
    func kvQuota() throws {
        let configured = try LunasConfiguration(toml: "[kv]\nmax_keys = 500\nmax_bytes = 1048576\n", file: "lunas.toml")
        #expect(configured.kvQuota == KVQuota(maxKeys: 500, maxBytes: 1 << 20))
        #expect(configured.storeOptions.kvQuota == configured.kvQuota)
        #expect(try LunasConfiguration(toml: Self.sample, file: "lunas.toml").kvQuota == KVQuota(maxKeys: 10_000, maxBytes: 64 << 20))
    }

    @Test("time_zone at the top level names the zone of schedules; absent, none")
    func timeZone() throws {
        #expect(try LunasConfiguration(toml: "time_zone = \"Europe/Berlin\"\n", file: "lunas.toml").timeZone == "Europe/Berlin")
        #expect(try LunasConfiguration(toml: Self.sample, file: "lunas.toml").timeZone == nil)
    }

    @Test("mistakes name the key and say what to write", arguments: [
        ("[credentials.main]\nkind = \"api_key\"\nsecret_evn = \"X\"\n", "credentials.main.secret_evn is not a known key (did you mean 'secret_env'?)"),
        ("[credentials.main]\nkind = \"api_key\"\nsecret = \"sk_live\"\n", "credentials.main.secret holds a secret inline"),
        ("[credentials.main]\nsecret_env = \"X\"\n", "credentials.main.kind is missing"),
        ("[credentials.main]\nkind = \"apikey\"\n", "credentials.main.kind is 'apikey'; expected one of api_key, oauth, storefront, customer"),
        ("base_url = \"https://api.scalev.com/v3\"\n", "base_url must be an origin without a path"),
        ("default_credential = \"nope\"\n", "default_credential names credential 'nope', which is not defined (none is defined)"),
        ("[scripts.vip]\nweight = 0\n", "scripts.vip.weight must be between 1 and 1000, not 0"),
        ("[scripts.vip]\ngrants = \"main\"\n", "scripts.vip.grants must be an array of strings"),
        ("[scripts.vip]\nmax_calls = 0\n", "scripts.vip.max_calls must be 1 or more API calls per run, not 0"),
        ("[scripts.vip]\nmax_calls = -5\n", "scripts.vip.max_calls must be 1 or more API calls per run, not -5"),
        ("[scripts.vip]\nmax_calls = 2.5\n", "scripts.vip.max_calls must be an integer"),
        ("[scripts.vip]\nmax_calls = \"10\"\n", "scripts.vip.max_calls must be an integer"),
        ("x = [\n", "lunas.toml: line "),
        ("[kv]\nmax_keys = 0\n", "kv.max_keys must be between 1 and 1000000000, not 0 (default 10000)"),
        ("[kv]\nmax_bytes = \"64 MiB\"\n", "kv.max_bytes must be an integer"),
        ("[kv]\nmax_key = 5\n", "kv.max_key is not a known key (did you mean 'max_keys'?)"),
        ("kv = 5\n", "kv must be a table ([kv])"),
        ("time_zone = \"Asia/Jakata\"\n", "time_zone is 'Asia/Jakata', which is not a time zone: use an IANA name like Asia/Jakarta or Europe/Berlin"),
        ("time_zone = 7\n", "time_zone must be a string"),
    ])
    func mistakes(_ text: String, _ expected: String) {
        #expect {
            _ = try LunasConfiguration(toml: text, file: "lunas.toml")
        } throws: { error in
            String(describing: error).contains(expected)
        }
    }

    @Test("the default credential: --credential, then the script's, then default_credential, then the environment")
    func precedence() throws {
        let configuration = try LunasConfiguration(toml: Self.sample, file: "lunas.toml")
        let resolver = CredentialResolver(configuration: configuration, environment: ["SCALEV_API_KEY": "sk_env"])
        #expect(try resolver.plan(script: "vip", requested: nil) == ("main", ["main"]) )
        #expect(throws: ConfigurationError.self) { try resolver.plan(script: "vip", requested: "shop") } // not granted to vip
        let other = try resolver.plan(script: "other", requested: nil)
        #expect(other.defaultCredential == "main" && other.granted == ["main", "shop", "env"])
        #expect(try resolver.plan(script: "other", requested: "shop").defaultCredential == "shop")
        let bare = CredentialResolver(configuration: LunasConfiguration(), environment: ["SCALEV_API_KEY": "sk_env"])
        #expect(try bare.plan(script: "x", requested: nil) == ("env", ["env"]))
        #expect(try CredentialResolver(configuration: LunasConfiguration(), environment: [:]).plan(script: "x", requested: nil) == ("", []))
    }

    @Test("secrets come from the environment; a missing variable is a clear error")
    func secrets() async throws {
        let configuration = try LunasConfiguration(toml: Self.sample, file: "lunas.toml")
        let resolved = try await CredentialResolver(configuration: configuration, environment: ["SCALEV_API_KEY": "sk_test_1"]).resolve("main", vault: nil)
        guard case .apiKey(let key) = resolved.credential else { Issue.record("not an API key"); return }
        #expect(key == "sk_test_1" && resolved.baseURL == "https://api.scalev.com" && resolved.budget == ["100/10s", "10000/1h"])
        await #expect {
            _ = try await CredentialResolver(configuration: configuration, environment: [:]).resolve("main", vault: nil)
        } throws: { error in
            String(describing: error).contains("credential 'main' reads its secret from $SCALEV_API_KEY, which is not set")
        }
    }
}
