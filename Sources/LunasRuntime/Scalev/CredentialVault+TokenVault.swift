import LunasStore
import Scalev

// The store's vault keeps the Scalev client's tokens. Declared here, where both modules are
// seen: the client links no database and the store knows nothing of Scalev.
extension CredentialVault: TokenVault {}
