import Foundation
import LuaKit
import Scalev

/// The Scalev credentials one run may use (least privilege: only what it was granted), and
/// how its requests behave: dry run, tracing, progress.
public struct ScalevAccess: Sendable {
    /// One granted credential: a client bound to it, under the name scripts use.
    public struct Grant: Sendable {
        /// The credential's name in the configuration.
        public var name: String
        /// The client that signs its requests.
        public var client: ScalevClient

        /// A grant.
        public init(name: String, client: ScalevClient) {
            self.name = name
            self.client = client
        }

        /// Its family, as scripts see it: `api_key`, `oauth`, `storefront` or `customer`.
        public var kind: CredentialEntry.Kind {
            switch client.credential {
            case .apiKey: .apiKey
            case .oauth: .oauth
            case .storefront: .storefront
            case .customer: .customer
            }
        }

        /// The store of a storefront or customer credential.
        public var storeID: String? {
            switch client.credential {
            case .apiKey, .oauth: nil
            case .storefront(_, let storeID): storeID
            case .customer(let session): session.storeID
            }
        }
    }

    /// The granted credentials by name.
    public var grants: [String: Grant]
    /// The credential `scalev` uses; `scalev.with(name)` picks another granted one.
    public var defaultCredential: String
    /// Writes are recorded and answered, not sent.
    public var dryRun: Bool
    /// One redacted line per request, response and retry (`--verbose`).
    public var trace: (@Sendable (String) -> Void)?
    /// A line per write a dry run skipped.
    public var recordWrite: (@Sendable (String) -> Void)?
    /// Where iterators report progress; `nil` keeps them quiet.
    public var progress: ProgressLine?
    /// What `scalev.budget()` answers for a credential and a script.
    public var budget: (@Sendable (Grant, String) async -> LuaValue)?

    /// Access to `grants`, using `defaultCredential` unless a script asks for another.
    public init(grants: [Grant], defaultCredential: String, dryRun: Bool = false) {
        self.grants = Dictionary(grants.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.defaultCredential = defaultCredential
        self.dryRun = dryRun
    }

    /// Every secret the granted clients may send, for redaction.
    public var secrets: [String] { grants.values.flatMap(\.client.secrets) }
}
