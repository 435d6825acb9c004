import ScalevModel

/// The catalog-driven layer: every catalogued v3 operation without a hand-written route is served
/// from a generic in-memory resource store, with the catalog's method, path, scopes and required
/// body fields. Collections are keyed by their concrete path, so
/// `POST /v3/discount-codes` then `GET /v3/discount-codes/{id}` round-trips.
///
/// What it models: create (200, the body plus `id`, `created_at`, `last_updated_at`), list
/// (paginated when the catalog lists cursor parameters, else `{data, is_paginated:false}`), get,
/// update (merge), delete (204), 404 for unknown ids and unknown parent orders/products/variants/
/// bundles/customers/stores. What it does not: field types, enums, cross-resource effects,
/// business rules of those operations.
enum GenericRoutes {
    static func register(_ registry: inout RouteRegistry) {
        for operation in registry.catalog.operations where !registry.table.serves(method: operation.method, template: operation.path) {
            registry.business(operation.method, operation.path) { request, state in
                try handle(operation, request, &state)
            }
        }
    }

    /// Parent tables checked for existence, by the path segment before the parameter.
    private static func parentExists(collection: String, id: String, state: SandboxState) -> Bool? {
        switch collection {
        case "orders": return (try? state.order(id)) != nil
        case "products": return state.products[id] != nil
        case "variants": return state.variant(id) != nil
        case "bundles": return state.bundles[id] != nil
        case "customers": return state.customers[id] != nil
        case "stores": return state.store(id) != nil
        default: return nil
        }
    }

    static func handle(_ operation: CatalogOperation, _ request: SandboxRequest, _ state: inout SandboxState) throws -> SandboxReply {
        let template = operation.path.split(separator: "/").map(String.init)
        let concrete = request.segments
        let endsWithParameter = template.last?.hasPrefix("{") ?? false
        // Parents must exist.
        for index in template.indices.dropLast(endsWithParameter ? 1 : 0) where template[index].hasPrefix("{") && index > 0 {
            if parentExists(collection: template[index - 1], id: concrete[index], state: state) == false {
                throw APIError.notFound(String(template[index - 1].dropLast()).capitalized)
            }
        }
        let stamp = JSON.string(Timestamp.format(request.now))
        if endsWithParameter {
            let collection = "/" + concrete.dropLast().joined(separator: "/")
            let id = concrete.last ?? ""
            guard var record = state.generic[collection]?[id] else { throw APIError.notFound("Resource") }
            switch operation.method {
            case "GET": return .ok(record)
            case "DELETE":
                state.generic[collection]?[id] = nil
                return .noContent
            default:
                for (key, value) in request.json?.objectValue ?? [:] where key != "id" { record[key] = value }
                record["last_updated_at"] = stamp
                state.generic[collection]?[id] = record
                return .ok(record)
            }
        }
        let collection = "/" + concrete.joined(separator: "/")
        switch operation.method {
        case "GET":
            let table = state.generic[collection] ?? ResourceTable()
            if operation.isPaginated { return .ok(try CursorPage.page(table, key: { $0["id"].textValue ?? "" }, request: request)) }
            return .list(table.descending)
        case "DELETE":
            return .noContent
        default:
            var record = request.json?.objectValue ?? [:]
            let id = state.number()
            record["id"] = .int(id)
            record["created_at"] = stamp
            record["last_updated_at"] = stamp
            state.generic[collection, default: ResourceTable()][id] = .object(record)
            return .ok(.object(record))
        }
    }
}
