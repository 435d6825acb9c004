import Foundation
import LuaKit
import LunasRuntime
import LunasTesting
import Testing

@Suite("scalev from Lua, against the sandbox", .testScope)
struct ScalevLuaTests {
    @Test("orders.each visits 300+ orders once each, newest first, one page in memory at a time")
    func pagination() async throws {
        let world = try await ScalevWorld(orders: 320)
        let results = try await world.run("""
            local seen, count, dupes, ordered, last = {}, 0, 0, true, nil
            for order in scalev.orders.each() do
              count = count + 1
              if seen[order.id] then dupes = dupes + 1 end
              seen[order.id] = true
              if last and order.created_at > last then ordered = false end
              last = order.created_at
            end
            local first_three = 0
            for _ in scalev.orders.each({}, { progress = false }) do
              first_three = first_three + 1
              if first_three == 3 then break end
            end
            local v2 = 0
            for order in scalev.v2.orders.each({}, { progress = false }) do
              if seen[order.id] then v2 = v2 + 1 end
            end
            return count, dupes, ordered, first_three, v2
            """)
        // the seed adds subscription orders to the 320; v2's last_id walk must find the same set
        let count = try #require(results.first?.integerValue)
        #expect(count >= 320)
        #expect(results.dropFirst() == [0, true, 3, .integer(count)])
    }

    @Test("get, add_tags and remove_tags keep the other tags; set_tags replaces them")
    func tags() async throws {
        let world = try await ScalevWorld()
        let results = try await world.run("""
            local page = scalev.orders.list { page_size = 1 }
            local id = page.data[1].id
            scalev.orders.set_tags(id, { "a", "b" })
            scalev.orders.add_tags(id, { "vip", "a" })
            local added = scalev.orders.get(id).tags
            scalev.orders.remove_tags(id, { "a" })
            local removed = scalev.orders.get(id).tags
            return table.concat(added, ","), table.concat(removed, ",")
            """)
        #expect(results == ["a,b,vip", "b,vip"])
    }

    @Test("API errors are tables with status, code, message, errors and retryable; uncaught ones name the script's line")
    func errors() async throws {
        let world = try await ScalevWorld()
        let results = try await world.run("""
            local ok, e = pcall(scalev.orders.get, "0190aaaa-0000-7000-8000-000000000000")
            local ok2, forbidden = pcall(scalev.with("readonly").orders.create, { store_unique_id = "x", customer_name = "n" })
            local ok3, invalid = pcall(scalev.orders.create, { customer_name = "no store", store_unique_id = "store_none" })
            return e.status, e.retryable, e.method, e.path, type(e.message), forbidden.status,
                   invalid.status, type(invalid.errors), tostring(invalid.message):find("store_unique_id", 1, true) ~= nil,
                   e.ambiguous, invalid.ambiguous
            """)
        #expect(results[0] == 404 && results[1] == false && results[2] == "GET")
        #expect(results[3].stringValue?.hasPrefix("/v3/orders/") == true && results[4] == "string")
        #expect(results[5] == 403)
        #expect(results[6] == 422 || results[6] == 400)
        #expect(results[7] == "table" && results[8] == true)
        #expect(results[9] == false && results[10] == false) // a read, and a clear refusal: not applied

        let error = await #expect(throws: LuaError.self) {
            _ = try await world.run("local x = 1\nscalev.orders.get(\"0190aaaa-0000-7000-8000-000000000000\")\n", name: "uncaught")
        }
        let message = error?.message ?? ""
        #expect(message.contains("uncaught.lua:2: GET /v3/orders/"), "\(message)")
        #expect(message.contains("GET /v3/orders/0190aaaa-0000-7000-8000-000000000000 -> 404"))
    }

    @Test("bad arguments are reported at the script's line with the function's name")
    func argumentChecks() async throws {
        let world = try await ScalevWorld()
        let results = try await world.run("""
            local _, a = pcall(function() scalev.orders.get({}) end)
            local _, b = pcall(function() scalev.orders.change_status({ "x" }, {}) end)
            local _, c = pcall(function() scalev.orders.add_tags("x", { 1 }) end)
            local _, d = pcall(function() scalev.with("nope") end)
            local _, e = pcall(function() scalev.storefront.cart() end)
            return a, b, c, d, e
            """, name: "args")
        let messages = results.map { $0.stringValue ?? "" }
        #expect(messages[0].contains("args.lua:1: scalev.orders.get: id must be a non-empty string or an integer, got table"))
        #expect(messages[1].contains("args.lua:2: scalev.orders.change_status: give fields.status and/or fields.payment_status"))
        #expect(messages[2].contains("args.lua:3: scalev.orders.add_tags: tags[1] must be a string, got number"))
        #expect(messages[3].contains("args.lua:4:") && messages[3].contains("credential 'nope' is not granted to this script (main, readonly, shop are)"))
        #expect(messages[4].contains("args.lua:5: scalev.storefront.cart: credential 'default' is a api_key credential; this needs a storefront one"))
    }

    @Test("scalev.call reaches catalog operations and suggests the nearest name")
    func catalogCall() async throws {
        let world = try await ScalevWorld()
        let results = try await world.run("""
            local tags = scalev.call("listOrderTags")
            local page = scalev.call("listOrders", { page_size = 2 })
            local order = scalev.call("getOrder", { id = page.data[1].id })
            local _, unknown = pcall(scalev.call, "listOrder")
            return type(tags.data), #page.data, order.id == page.data[1].id, tostring(unknown.message or unknown)
            """)
        #expect(results[0] == "table" && results[1] == 2 && results[2] == true)
        #expect(results[3].stringValue?.contains("listOrders") == true, "\(results[3])")
    }

    @Test("calls return one value; scalev.call(op, params, { response = true }) adds the status and the headers a script may see")
    func oneValue() async throws {
        let world = try await ScalevWorld()
        let results = try await world.run("""
            local counted = select("#", scalev.customers.count())
            local encoded = json.encode(scalev.customers.count())
            local page, response = scalev.call("listOrders", { page_size = 1 }, { response = true })
            local content_type = response.headers["content-type"] or ""
            local plain = select("#", scalev.call("listOrders", { page_size = 1 }))
            local ok, err = pcall(scalev.call, "listOrders", {}, { respons = true })
            return counted, type(encoded), #page.data, response.status, content_type:find("application/json", 1, true) ~= nil,
              response.headers.authorization == nil, plain, tostring(err.message or err)
            """)
        #expect(results[0] == 1 && results[1] == "string" && results[2] == 1 && results[3] == 200)
        #expect(results[4] == true && results[5] == true && results[6] == 1)
        #expect(results[7].stringValue?.contains("scalev.call: unknown option 'respons' (options: response)") == true, "\(results[7])")
    }

    @Test("a name the scalev module does not have is an error with the nearest one, at the script's line")
    func unknownField() async throws {
        let world = try await ScalevWorld()
        let results = try await world.run("""
            local ok1, e1 = pcall(function() return scalev.order end)
            local ok2, e2 = pcall(function() return scalev.orders.eachh end)
            return ok1, tostring(e1.message or e1), ok2, tostring(e2.message or e2), type(scalev.orders.each)
            """, name: "fields")
        #expect(results[0] == false && results[2] == false && results[4] == "function")
        #expect(results[1].stringValue?.contains("fields.lua:1: scalev.order does not exist (did you mean scalev.orders?)") == true, "\(results[1])")
        #expect(results[3].stringValue?.contains("scalev.orders.eachh does not exist (did you mean scalev.orders.each?)") == true, "\(results[3])")
    }

    @Test("a dry run sends reads, answers writes with dry_run = true, and changes nothing")
    func dryRun() async throws {
        let world = try await ScalevWorld()
        let results = try await world.run("""
            local first = scalev.orders.list({ page_size = 1 }).data[1]
            local answer = scalev.orders.set_tags(first.id, { "dry" })
            local after = scalev.orders.get(first.id)
            local found = false
            for _, t in ipairs(after.tags or {}) do if t == "dry" then found = true end end
            return answer.dry_run, found
            """, access: world.access(dryRun: true))
        #expect(results == [true, false])
        #expect(world.everyLine.contains { $0.hasPrefix("dry run: ") && $0.contains("update-tags") })
    }

    @Test("storefront and legacy v2 modules")
    func storefrontAndV2() async throws {
        let world = try await ScalevWorld(orders: 60)
        let results = try await world.run("""
            local shop = scalev.with("shop").storefront
            local methods = shop.payment_methods()
            shop.add_to_cart { type = "variant", variant_id = 9001, quantity = 2 }
            local cart = shop.cart()    -- the same guest cart: the host kept its token
            local products = 0
            for _ in scalev.v2.products.each({}, { progress = false }) do products = products + 1 end
            local v2 = scalev.v2.orders.list { page_size = 5 }
            return type(methods), cart.item_count, products > 0, v2.code, #v2.data.results
            """)
        #expect(results == ["table", 2, true, 200, 5])
    }

    @Test("no log line, trace or error of these runs holds a secret")
    func redaction() async throws {
        let world = try await ScalevWorld()
        _ = try? await world.run("""
            log.info("hello", { n = 1 })
            scalev.orders.list { page_size = 1 }
            pcall(scalev.orders.get, "missing")
            pcall(scalev.with("readonly").orders.create, { store_unique_id = "x", customer_name = "n" })
            scalev.orders.get("missing")
            """, name: "redact")
        let lines = world.everyLine
        #expect(lines.count > 3)
        for secret in world.secrets {
            #expect(!lines.contains { $0.contains(secret) }, "a line holds a secret")
        }
    }
}

@Suite("scalev modules over the sandbox", .testScope)
struct ScalevModuleCoverageTests {
    @Test("products, stores, customers, checkout intents and digital answer through their modules")
    func businessModules() async throws {
        let world = try await ScalevWorld()
        let results = try await world.run("""
            local product = scalev.products.list({ page_size = 2 }).data[1]
            local same = scalev.products.get(product.id)
            local store_products = 0
            for store in scalev.stores.each({}, { progress = false }) do
              for _ in scalev.stores.each_product(store.id, {}, { progress = false }) do store_products = store_products + 1 end
            end
            local customer = scalev.customers.list({ page_size = 1 }).data[1]
            scalev.customers.add_tags(customer.id, { "loyal" })
            local tagged = scalev.customers.get(customer.id).tags
            local intents = scalev.checkout_intents.list()
            local variant = product.variants and product.variants[1] and product.variants[1].id or 9001
            local holders = scalev.digital.customers(variant)
            local made = scalev.products.create({ name = "Lua mug", item_type = "physical", variants = json.array() })
            return same.id == product.id, store_products > 0, table.concat(tagged, ","):find("loyal") ~= nil,
                   type(intents.data), type(holders.data), made.name
            """)
        #expect(results == [true, true, true, "table", "table", "Lua mug"])
    }

    @Test("a signed-in customer's subscriptions: list, cancel at period end, resume")
    func customerSubscriptions() async throws {
        let world = try await ScalevWorld()
        let access = try await world.customerAccess()
        let results = try await world.run("""
            local me = scalev.with("shopper").customer
            local profile = me.profile()
            local active
            for sub in me.subscriptions.each({}, { progress = false }) do
              if sub.status == "active" and not sub.is_cancel_at_period_end then active = sub end
            end
            if not active then return profile.customer.email, "no active subscription" end
            local canceled = me.subscriptions.cancel(active.id)
            local resumed = me.subscriptions.resume(active.id)
            local orders = me.orders.list()
            return profile.customer.email, canceled.is_cancel_at_period_end, resumed.is_cancel_at_period_end, type(orders.data)
            """, access: access)
        #expect(results == [.string(LuaString(world.sandbox.credentials.customerEmail)), true, false, "table"])
    }
}
