import ScalevModel

extension ScalevClient {
    /// Calls a v3 business operation of the catalog by id (e.g. `getOrder` with `["id": …]`):
    /// path parameters, query and body are filled and checked before anything is sent (see
    /// ``OperationCatalog/request(_:_:)``); then as ``send(_:context:)``.
    public func call(_ operationID: String, _ params: [String: JSON], context: RequestContext) async throws -> ScalevResponse {
        let catalog: OperationCatalog
        do {
            catalog = try OperationCatalog.bundled()
        } catch {
            throw ScalevError(
                status: nil, code: "catalog_unavailable", message: "the v3 operation catalog cannot be read (\(error))", retryable: false,
                method: "-", path: "-")
        }
        let request = try catalog.request(operationID, params)
        return try await send(request, context: context)
    }
}
