import LunasRuntime
import ScalevSandbox

extension SandboxAccount {
    /// The account of a running sandbox.
    init(_ sandbox: ScalevSandbox) {
        let credentials = sandbox.credentials
        self.init(
            baseURL: sandbox.baseURL, businessKey: credentials.businessKey, restrictedKey: credentials.restrictedKey,
            storefrontKey: credentials.storefrontKey, storeID: credentials.storeUniqueID,
            customerEmail: credentials.customerEmail, customerPassword: credentials.customerPassword)
    }
}
