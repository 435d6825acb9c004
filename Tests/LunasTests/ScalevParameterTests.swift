import Foundation
import LuaKit
import LunasRuntime
import LunasTesting
import Testing

/// The named functions of `scalev` check every filter and field against their operation (the v3
/// catalog's, or the notes' for the routes outside it) before anything is sent, as `scalev.call` does.
@Suite("scalev checks the parameters of its named functions", .testScope)
struct ScalevParameterTests {
    /// A named list function: how a script calls it with `FILTERS`, and a filter it takes with
    /// the values it allows, when it has one.
    struct ListFunction: Sendable, CustomTestStringConvertible {
        var name: String
        var call: String
        var allowed: (filter: String, bad: String, first: String)?
        var testDescription: String { name }
    }

    static let listFunctions: [ListFunction] = {
        var functions: [ListFunction] = []
        func add(_ module: String, _ list: String, _ each: String, before: String = "", enumerated: (String, String, String)? = nil) {
            for name in [list, each] where !name.isEmpty {
                functions.append(ListFunction(name: "\(module).\(name)", call: "\(module).\(name)(\(before)FILTERS)", allowed: enumerated))
            }
        }
        add("scalev.orders", "list", "each", enumerated: ("payment_status", "payed", "paid, unpaid, conflict, settled"))
        add("scalev.products", "list", "each", enumerated: ("item_type", "phisical", "physical, digital, course"))
        add("scalev.stores", "list", "each")
        add("scalev.stores", "products", "each_product", before: "STORE, ")
        add("scalev.customers", "list", "each")
        add("scalev.checkout_intents", "list", "each", enumerated: ("status", "abandonned", "active, abandoned, completed"))
        add("scalev.digital", "customers", "each_customer", before: "VARIANT, ")
        add("scalev.storefront", "items", "")
        add("scalev.storefront", "locations", "")
        add("scalev.customer.orders", "list", "each")
        add("scalev.customer.subscriptions", "list", "each", enumerated: ("status", "actve", "unactivated, active, canceled, expired, failed"))
        add("scalev.v2.orders", "list", "each", enumerated: ("status", "payed", "draft, pending, confirmed"))
        add("scalev.v2.products", "list", "each")
        add("scalev.v2.bundles", "list", "each")
        add("scalev.v2.stores", "list", "each")
        return functions
    }()

    /// The script's `scalev`: storefront functions through `shop`, the customer's through `shopper`.
    static func script(_ function: ListFunction, filters: String) -> String {
        var call = function.call.replacingOccurrences(of: "FILTERS", with: filters)
            .replacingOccurrences(of: "STORE", with: "3288").replacingOccurrences(of: "VARIANT", with: "9001")
        if call.hasPrefix("scalev.storefront.") { call = call.replacingOccurrences(of: "scalev.", with: "scalev.with(\"shop\").") }
        if call.hasPrefix("scalev.customer.") { call = call.replacingOccurrences(of: "scalev.", with: "scalev.with(\"shopper\").") }
        return "local ok, e = pcall(function()\n  local answer = \(call)\n  return answer\nend)\nreturn ok, tostring(e)\n"
    }

    @Test("every named list function refuses a misspelt filter with the nearest name, and a value outside an enum with the allowed ones",
          arguments: listFunctions)
    func listFilters(_ function: ListFunction) async throws {
        let world = try await ScalevWorld()
        let access = try await world.customerAccess()
        let typo = try await world.run(Self.script(function, filters: "{ page_sise = 5 }"), name: "typo", access: access)
        #expect(typo.first == false)
        #expect(typo.last?.stringValue?.contains("typo.lua:2: \(function.name): unknown filter 'page_sise' (did you mean 'page_size'?)") == true,
                "\(typo.last ?? .nil)")
        if let (filter, bad, allowed) = function.allowed {
            let value = try await world.run(Self.script(function, filters: "{ \(filter) = \"\(bad)\" }"), name: "value", access: access)
            #expect(value.first == false)
            #expect(value.last?.stringValue?.contains("value.lua:2: \(function.name): \(filter) '\(bad)' is not one of: \(allowed)") == true,
                    "\(value.last ?? .nil)")
        }
        let fine = try await world.run(Self.script(function, filters: "{ page_size = 2 }"), name: "fine", access: access)
        #expect(fine.first == true, "\(fine.last ?? .nil)")
    }

    @Test("each item of a comma list is checked; a filter that takes one value is not split; integers pass for strings; types are checked")
    func values() async throws {
        let world = try await ScalevWorld()
        let results = try await world.run("""
            local function err(f) local ok, e = pcall(f) return ok and "ok" or tostring(e) end
            local listed = #scalev.orders.list({ status = "pending,shipped", page_size = 2 }).data
            local as_table = #scalev.orders.list({ status = { "pending", "shipped" }, page_size = 2 }).data
            local one_bad = err(function() scalev.orders.list { status = "pending,shiped" } end)
            local not_list = err(function() scalev.checkout_intents.list { status = "active,abandoned" } end)
            local integer = type(scalev.orders.list({ search = 25, page_size = 1 }).data)
            local wrong_type = err(function() scalev.orders.list { page_size = "ten" } end)
            local body_enum = err(function() scalev.orders.change_status({ "x" }, { status = "cancelled" }) end)
            local body_field = err(function() scalev.orders.create { store_unique_id = "s", customer_name = "n", customer_emial = "e" } end)
            local body_type = err(function() scalev.orders.create { store_unique_id = "s", customer_name = "n", location_id = "here" } end)
            return listed, as_table, one_bad, not_list, integer, wrong_type, body_enum, body_field, body_type
            """, name: "values")
        #expect(results[0] == 2 && results[1] == 2)
        let messages = results.dropFirst(2).map { $0.stringValue ?? "" }
        #expect(messages[0].contains("values.lua:4: scalev.orders.list: status 'shiped' is not one of: draft, pending, confirmed,"), "\(messages[0])")
        #expect(messages[1].contains("scalev.checkout_intents.list: status 'active,abandoned' is not one of: active, abandoned, completed"),
                "\(messages[1])")
        #expect(messages[2] == "table")
        #expect(messages[3].contains("scalev.orders.list: page_size must be an integer, got a string"), "\(messages[3])")
        #expect(messages[4].contains("scalev.orders.change_status: status 'cancelled' is not one of: draft, pending,"), "\(messages[4])")
        #expect(messages[5].contains("scalev.orders.create: unknown field 'customer_emial' (did you mean 'customer_email'?)"), "\(messages[5])")
        #expect(messages[6].contains("scalev.orders.create: location_id must be an integer, got a string"), "\(messages[6])")
    }

    @Test("scalev.call checks enum values the same way")
    func callValues() async throws {
        let world = try await ScalevWorld()
        let results = try await world.run("""
            local ok, e = pcall(scalev.call, "listOrders", { payment_status = "payed" })
            local ok2, e2 = pcall(scalev.call, "listOrders", { status = "pending,shiped" })
            local fine = #scalev.call("listOrders", { payment_status = "paid,unpaid", page_size = 3 }).data
            return ok, e.code, e.message, ok2, e2.message, fine
            """)
        #expect(results[0] == false && results[1] == "invalid_parameter")
        #expect(results[2].stringValue?.contains("listOrders: payment_status 'payed' is not one of: paid, unpaid, conflict, settled") == true,
                "\(results[2])")
        #expect(results[3] == false && results[4].stringValue?.contains("status 'shiped' is not one of:") == true, "\(results[4])")
        #expect(results[5] == 3)
    }

    @Test("paging takes next_cursor, as each does; cursor is refused with next_cursor suggested")
    func nextCursor() async throws {
        let world = try await ScalevWorld()
        let results = try await world.run("""
            local first = scalev.orders.list { page_size = 2 }
            local second = scalev.orders.list { page_size = 2, next_cursor = first.next_cursor }
            local walked
            for order in scalev.orders.each({ page_size = 2, next_cursor = first.next_cursor }, { progress = false }) do
              walked = order.id
              break
            end
            local ok, e = pcall(scalev.orders.each, { cursor = first.next_cursor })
            local ok2, e2 = pcall(scalev.call, "listOrders", { cursor = first.next_cursor })
            return first.data[1].id ~= second.data[1].id, walked == second.data[1].id, tostring(e), e2.message
            """, name: "paging")
        #expect(results[0] == true && results[1] == true)
        #expect(results[2].stringValue?.contains("scalev.orders.each: unknown filter 'cursor' (did you mean 'next_cursor'?)") == true, "\(results[2])")
        #expect(results[3].stringValue?.contains("unknown parameter 'cursor' for listOrders, did you mean 'next_cursor'?") == true, "\(results[3])")
    }

    @Test("a dry run refuses a write with missing fields exactly as the real run does, and records nothing")
    func dryRunRefuses() async throws {
        let world = try await ScalevWorld()
        let script = """
            local ok, named = pcall(scalev.orders.create, {})
            local ok2, called = pcall(scalev.call, "createOrder", {})
            local ok3, tags = pcall(scalev.orders.set_tags, "x", nil)
            return ok, tostring(named), ok2, called.code, called.message, ok3
            """
        let real = try await world.run(script, name: "create")
        let dry = try await world.run(script, name: "create", access: world.access(dryRun: true))
        #expect(dry == real)
        #expect(dry[0] == false && dry[2] == false && dry[5] == false)
        #expect(dry[1].stringValue?.contains("create.lua:1: scalev.orders.create: needs 'customer_name', 'store_unique_id'") == true, "\(dry[1])")
        #expect(dry[3] == "missing_required" && dry[4].stringValue?.contains("createOrder needs 'customer_name', 'store_unique_id'") == true, "\(dry[4])")
        #expect(!world.everyLine.contains { $0.hasPrefix("dry run: ") }, "\(world.everyLine)")
    }

    @Test("a dry run's line shows the body's values, secrets redacted")
    func dryRunLine() async throws {
        let world = try await ScalevWorld()
        let key = world.sandbox.credentials.businessKey
        let results = try await world.run("""
            local order = scalev.orders.list({ page_size = 1 }).data[1]
            local answer = scalev.orders.update(order.id, { notes = "call back; key \(key)" })
            return answer.dry_run, order.id
            """, access: world.access(dryRun: true))
        #expect(results[0] == true)
        let id = results[1].stringValue ?? ""
        let line = world.everyLine.first { $0.hasPrefix("dry run: PATCH /v3/orders/\(id)") } ?? ""
        #expect(line.contains(#"{"notes":"call back; key [REDACTED]"} not sent"#) || line.contains(#"{"notes":"call back; key [redacted]"} not sent"#),
                "\(line)")
        #expect(!line.contains(key))
    }
}
