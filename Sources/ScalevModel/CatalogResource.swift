import Foundation

/// The catalog of Scalev's v3 business operations (`scalev-v3-operations.json`), shared by the
/// client and the sandbox so that both read one copy.
public enum CatalogResource {
    /// The catalog's JSON text.
    public static func data() throws -> Data {
        guard let url = Bundle.module.url(forResource: "scalev-v3-operations", withExtension: "json") else {
            throw CocoaError(.fileNoSuchFile)
        }
        return try Data(contentsOf: url)
    }
}
