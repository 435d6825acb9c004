extension ScalevClient {
    /// Calls a v3 business operation of the catalog by id (e.g. `getOrder` with `["id": …]`):
    /// path parameters, query and body are filled and checked before anything is sent (see
    /// ``OperationCatalog/request(_:_:)``); then as ``send(_:context:)``.
    public func call(_ operationID: String, _ params: [String: JSON], context: RequestContext) async throws -> ScalevResponse {
        let request = try OperationCatalog.bundled().request(operationID, params)
        return try await send(request, context: context)
    }
}
