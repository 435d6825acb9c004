extension ScalevModule {
    /// The Lua side of `scalev`: argument checks, paths, paging. Request and response bodies
    /// cross as JSON text through the C codec; errors are raised by the host at the script's
    /// line (this chunk is named `=lunas.scalev`, which error positions skip).
    static let luaSource = """
        local raw, encode, decode, null, array = __scalev, json.encode, json.decode, json.null, json.array
        __scalev = nil
        local type, pairs, ipairs, tostring, math_type, format = type, pairs, ipairs, tostring, math.type, string.format
        local fail = raw.fail

        local function seg(value)
          return (value:gsub("[^%w%-%._~]", function(c) return format("%%%02X", c:byte()) end))
        end

        local function id_of(fname, id, what)
          local t = type(id)
          if t == "string" and id ~= "" then return seg(id) end
          if math_type(id) == "integer" then return tostring(id) end
          fail(fname .. ": " .. (what or "id") .. " must be a non-empty string or an integer, got " .. (t == "string" and "an empty string" or t))
        end

        local function table_of(fname, what, value, optional)
          if value == nil and optional then return {} end
          if type(value) ~= "table" then fail(fname .. ": " .. what .. " must be a table, got " .. type(value)) end
          return value
        end

        local function ids_of(fname, ids)
          if type(ids) ~= "table" then id_of(fname, ids) return { ids } end
          if #ids == 0 then fail(fname .. ": ids must be an id or a non-empty list of ids") end
          for _, id in ipairs(ids) do id_of(fname, id) end
          return ids
        end

        local function strings_of(fname, what, list)
          if type(list) ~= "table" then fail(fname .. ": " .. what .. " must be a list of strings, got " .. type(list)) end
          for i, v in ipairs(list) do
            if type(v) ~= "string" then fail(fname .. ": " .. what .. "[" .. i .. "] must be a string, got " .. type(v)) end
          end
          return list
        end

        local function list(t)
          local c = {}
          for i, v in ipairs(t) do c[i] = v end
          return array(c)
        end

        local function copy(t)
          local c = {}
          for k, v in pairs(t) do c[k] = v end
          return c
        end

        -- An answer of the host: `status, body text, dry_run` -> the decoded body and the status.
        local function answer(status, text, dry)
          if text == nil or #text == 0 then
            if dry then return { dry_run = true } end
            return nil, status
          end
          local value = decode(text)
          if dry and type(value) == "table" then value.dry_run = true end
          return value, status
        end

        -- Items of a paged list, one page in memory at a time: `fetch(query)` answers a page's
        -- items and a function that moves `query` to the next page (false when there is none).
        local function walk(fname, filters, options, label, fetch)
          local query = copy(table_of(fname, "filters", filters, true))
          options = table_of(fname, "options", options, true)
          local total, quiet = options.total, options.progress == false
          local items, advance, index, count, done = nil, nil, 0, 0, false
          return function()
            while not done do
              if items then
                index = index + 1
                local item = items[index]
                if item ~= nil then
                  count = count + 1
                  if not quiet and count % 25 == 0 then raw.progress(label, count, false, total) end
                  return item
                end
                if not advance(query) then
                  done = true
                  if not quiet then raw.progress(label, count, true, total) end
                  return nil
                end
              end
              items, advance = fetch(query)
              index = 0
            end
          end
        end

        local function bind(cred)
          local s = {}

          local function send(method, path, query, body)
            return answer(raw.request(cred, method, path, query, body ~= nil and encode(body) or nil))
          end
          local function get(path, query) return send("GET", path, query) end
          local function post(path, body) return send("POST", path, nil, body) end
          local function patch(path, body) return send("PATCH", path, nil, body) end
          local function delete(path) return send("DELETE", path) end

          -- v3 cursor pagination: `next_cursor` while `has_next`.
          local function each(fname, path, filters, options, label)
            return walk(fname, filters, options, label, function(query)
              local page = get(path, query)
              if type(page) ~= "table" or type(page.data) ~= "table" then fail(fname .. ": the answer is not a page of items") end
              return page.data, function(q)
                local cursor = page.next_cursor
                if not page.has_next or cursor == nil or cursor == null then return false end
                q.next_cursor, q.previous_cursor = cursor, nil
                return true
              end
            end)
          end

          -- v2 pagination inside the envelope's `data`: `last_id` (orders) or page numbers (the others).
          local function each_v2(fname, path, filters, options, label, by_last_id)
            return walk(fname, filters, options, label, function(query)
              if not by_last_id then query.page = query.page or 1 end
              local envelope = get(path, query)
              local page = type(envelope) == "table" and envelope.data or nil
              if type(page) ~= "table" or type(page.results) ~= "table" then fail(fname .. ": the answer is not a page of results") end
              return page.results, function(q)
                if not page.has_next or #page.results == 0 then return false end
                if by_last_id then q.last_id = page.last_id else q.page = q.page + 1 end
                return true
              end
            end)
          end

          local function resource(name, path, methods)
            local m = {}
            local p = "scalev." .. name .. "."
            if methods.list then
              m.list = function(filters) return get(path, table_of(p .. "list", "filters", filters, true)) end
              m.each = function(filters, options) return each(p .. "each", path, filters, options, name) end
            end
            if methods.get then m.get = function(id) return get(path .. "/" .. id_of(p .. "get", id)) end end
            if methods.create then m.create = function(fields) return post(path, table_of(p .. "create", "fields", fields)) end end
            if methods.update then
              m.update = function(id, fields) return patch(path .. "/" .. id_of(p .. "update", id), table_of(p .. "update", "fields", fields)) end
            end
            if methods.delete then m.delete = function(id) return delete(path .. "/" .. id_of(p .. "delete", id)) end end
            return m
          end

          -- Tags: the API's update-tags replaces every tag; add/remove read the current ones first.
          local function tagging(m, name, path)
            local p = "scalev." .. name .. "."
            function m.set_tags(id, tags)
              return post(path .. "/" .. id_of(p .. "set_tags", id) .. "/update-tags", { tags = list(strings_of(p .. "set_tags", "tags", tags)) })
            end
            local function change(fname, id, tags, keep)
              strings_of(fname, "tags", tags)
              local current = get(path .. "/" .. id_of(fname, id))
              local wanted, seen, changed = {}, {}, false
              for _, t in ipairs(tags) do wanted[t] = true end
              local next_tags = {}
              for _, t in ipairs(type(current.tags) == "table" and current.tags or {}) do
                if keep or not wanted[t] then next_tags[#next_tags + 1] = t; seen[t] = true else changed = true end
              end
              if keep then
                for _, t in ipairs(tags) do
                  if not seen[t] then next_tags[#next_tags + 1] = t; seen[t] = true; changed = true end
                end
              end
              if not changed then return current end
              return post(path .. "/" .. id_of(fname, id) .. "/update-tags", { tags = array(next_tags) })
            end
            function m.add_tags(id, tags) return change(p .. "add_tags", id, tags, true) end
            function m.remove_tags(id, tags) return change(p .. "remove_tags", id, tags, false) end
          end

          -- orders
          local orders = resource("orders", "/v3/orders", { list = true, get = true, create = true, update = true })
          tagging(orders, "orders", "/v3/orders")
          function orders.change_status(ids, fields)
            fields = copy(table_of("scalev.orders.change_status", "fields", fields))
            if fields.status == nil and fields.payment_status == nil then
              fail("scalev.orders.change_status: give fields.status and/or fields.payment_status")
            end
            fields.ids = list(ids_of("scalev.orders.change_status", ids))
            return post("/v3/orders/change-status", fields)
          end
          function orders.mark_paid(ids, fields)
            fields = copy(table_of("scalev.orders.mark_paid", "fields", fields, true))
            fields.payment_status = "paid"
            fields.ids = list(ids_of("scalev.orders.mark_paid", ids))
            return post("/v3/orders/change-status", fields)
          end
          function orders.cancel(ids)
            return post("/v3/orders/change-status", { ids = list(ids_of("scalev.orders.cancel", ids)), status = "canceled" })
          end
          function orders.delete(ids) return post("/v3/orders/delete", { ids = list(ids_of("scalev.orders.delete", ids)) }) end
          function orders.tags() return get("/v3/orders/tags").data end
          function orders.actions(id) return get("/v3/orders/" .. id_of("scalev.orders.actions", id) .. "/actions") end
          function orders.send_digital(id) return post("/v3/orders/" .. id_of("scalev.orders.send_digital", id) .. "/send-product-digital") end
          function orders.send_lms_access(id) return post("/v3/orders/" .. id_of("scalev.orders.send_lms_access", id) .. "/send-lms-access") end
          function orders.statistics(filters) return get("/v3/orders/statistics", table_of("scalev.orders.statistics", "filters", filters, true)) end
          s.orders = orders

          s.products = resource("products", "/v3/products", { list = true, get = true, create = true, update = true, delete = true })
          function s.products.count(filters) return get("/v3/products/count", table_of("scalev.products.count", "filters", filters, true)) end

          local stores = resource("stores", "/v3/stores", { list = true, get = true, create = true, update = true, delete = true })
          function stores.products(store, filters)
            return get("/v3/stores/" .. id_of("scalev.stores.products", store, "store") .. "/products", table_of("scalev.stores.products", "filters", filters, true))
          end
          function stores.each_product(store, filters, options)
            return each("scalev.stores.each_product", "/v3/stores/" .. id_of("scalev.stores.each_product", store, "store") .. "/products", filters, options, "products")
          end
          s.stores = stores

          local customers = resource("customers", "/v3/customers", { list = true, get = true, create = true, update = true })
          tagging(customers, "customers", "/v3/customers")
          function customers.count(filters) return get("/v3/customers/count", table_of("scalev.customers.count", "filters", filters, true)) end
          function customers.tags() return get("/v3/customers/tags").data end
          s.customers = customers

          local intents = resource("checkout_intents", "/v3/checkout-intents", { list = true, get = true })
          function intents.follow_up_email(id)
            return post("/v3/checkout-intents/" .. id_of("scalev.checkout_intents.follow_up_email", id) .. "/follow-up-email")
          end
          s.checkout_intents = intents

          local digital = {}
          function digital.files(variant) return get("/v3/variants/" .. id_of("scalev.digital.files", variant, "variant") .. "/digital-product-files") end
          function digital.course(variant) return get("/v3/variants/" .. id_of("scalev.digital.course", variant, "variant") .. "/course") end
          function digital.customers(variant, filters)
            return get("/v3/variants/" .. id_of("scalev.digital.customers", variant, "variant") .. "/customers", table_of("scalev.digital.customers", "filters", filters, true))
          end
          function digital.each_customer(variant, filters, options)
            return each("scalev.digital.each_customer", "/v3/variants/" .. id_of("scalev.digital.each_customer", variant, "variant") .. "/customers", filters, options, "customers")
          end
          digital.resend_files = orders.send_digital
          digital.resend_lms_access = orders.send_lms_access
          s.digital = digital

          -- storefront and customer: the store comes from the credential
          local function store_path(fname, kinds)
            local kind, store = raw.kind(cred)
            if not kinds[kind] then
              local wanted = {}
              for k in pairs(kinds) do wanted[#wanted + 1] = k end
              table.sort(wanted)
              fail(fname .. ": credential '" .. tostring(cred or "default") .. "' is a " .. kind .. " credential; this needs a " .. table.concat(wanted, " or ") .. " one (use scalev.with(name))")
            end
            return "/v3/stores/" .. seg(store)
          end
          local function sf(fname) return store_path("scalev.storefront." .. fname, { storefront = true }) .. "/public" end
          local storefront = {}
          function storefront.items(filters) return get(sf("items") .. "/items", table_of("scalev.storefront.items", "filters", filters, true)) end
          function storefront.product(slug) return get(sf("product") .. "/products/" .. id_of("scalev.storefront.product", slug, "slug")) end
          function storefront.payment_methods() return get(sf("payment_methods") .. "/payment-methods").data end
          function storefront.locations(filters) return get(sf("locations") .. "/locations", table_of("scalev.storefront.locations", "filters", filters, true)) end
          function storefront.cart() return get(sf("cart") .. "/cart") end
          function storefront.add_to_cart(item) return post(sf("add_to_cart") .. "/cart/items", table_of("scalev.storefront.add_to_cart", "item", item)) end
          function storefront.update_cart_item(id, quantity)
            return patch(sf("update_cart_item") .. "/cart/items/" .. id_of("scalev.storefront.update_cart_item", id), { quantity = quantity })
          end
          function storefront.remove_cart_item(id) return delete(sf("remove_cart_item") .. "/cart/items/" .. id_of("scalev.storefront.remove_cart_item", id)) end
          function storefront.shipping_options(request) return post(sf("shipping_options") .. "/checkout/shipping-options", table_of("scalev.storefront.shipping_options", "request", request)) end
          function storefront.summary(request) return post(sf("summary") .. "/checkout/summary", table_of("scalev.storefront.summary", "request", request)) end
          function storefront.checkout(order) return post(sf("checkout") .. "/checkout", table_of("scalev.storefront.checkout", "order", order)) end
          function storefront.order(slug) return get(sf("order") .. "/orders/" .. id_of("scalev.storefront.order", slug, "secret_slug")) end
          function storefront.payment(slug) return post(sf("payment") .. "/orders/" .. id_of("scalev.storefront.payment", slug, "secret_slug") .. "/payment") end
          s.storefront = storefront

          local function me(fname) return store_path("scalev.customer." .. fname, { customer = true }) .. "/customers/me" end
          local customer = {}
          function customer.profile() return get(me("profile")) end
          function customer.update_profile(fields) return patch(me("update_profile"), table_of("scalev.customer.update_profile", "fields", fields)) end
          function customer.addresses() return get(me("addresses") .. "/addresses") end
          function customer.cart() return get(me("cart") .. "/cart") end
          function customer.add_to_cart(item) return post(me("add_to_cart") .. "/cart/items", table_of("scalev.customer.add_to_cart", "item", item)) end
          function customer.shipping_options(request) return post(me("shipping_options") .. "/checkout/shipping-options", table_of("scalev.customer.shipping_options", "request", request)) end
          function customer.summary(request) return post(me("summary") .. "/checkout/summary", table_of("scalev.customer.summary", "request", request)) end
          function customer.checkout(order) return post(me("checkout") .. "/checkout", table_of("scalev.customer.checkout", "order", order)) end
          customer.orders = {
            list = function(filters) return get(me("orders.list") .. "/orders", table_of("scalev.customer.orders.list", "filters", filters, true)) end,
            each = function(filters, options) return each("scalev.customer.orders.each", me("orders.each") .. "/orders", filters, options, "orders") end,
            get = function(id) return get(me("orders.get") .. "/orders/" .. id_of("scalev.customer.orders.get", id)) end,
          }
          local subs = {}
          function subs.list(filters) return get(me("subscriptions.list") .. "/subscriptions", table_of("scalev.customer.subscriptions.list", "filters", filters, true)) end
          function subs.each(filters, options) return each("scalev.customer.subscriptions.each", me("subscriptions.each") .. "/subscriptions", filters, options, "subscriptions") end
          function subs.get(id) return get(me("subscriptions.get") .. "/subscriptions/" .. id_of("scalev.customer.subscriptions.get", id)) end
          function subs.cancel(id) return post(me("subscriptions.cancel") .. "/subscriptions/" .. id_of("scalev.customer.subscriptions.cancel", id) .. "/cancel") end
          function subs.resume(id) return post(me("subscriptions.resume") .. "/subscriptions/" .. id_of("scalev.customer.subscriptions.resume", id) .. "/resume") end
          for _, way in ipairs({ "upgrade", "downgrade" }) do
            subs[way .. "_options"] = function(item)
              return get(me("subscriptions." .. way .. "_options") .. "/subscription-items/" .. id_of("scalev.customer.subscriptions." .. way .. "_options", item, "item") .. "/" .. way).data
            end
            subs[way] = function(item, variant)
              local fname = "scalev.customer.subscriptions." .. way
              return post(me("subscriptions." .. way) .. "/subscription-items/" .. id_of(fname, item, "item") .. "/" .. way, { variant_id = variant })
            end
          end
          customer.subscriptions = subs
          local courses = {}
          function courses.course(variant) return get(me("courses.course") .. "/variants/" .. id_of("scalev.customer.courses.course", variant, "variant") .. "/course") end
          function courses.section(uuid) return get(me("courses.section") .. "/course-sections/" .. id_of("scalev.customer.courses.section", uuid, "section")) end
          function courses.content(uuid) return get(me("courses.content") .. "/course-contents/" .. id_of("scalev.customer.courses.content", uuid, "content")) end
          function courses.progress(uuid, progress)
            if math_type(progress) == nil or progress < 0 or progress > 100 then fail("scalev.customer.courses.progress: progress must be a number from 0 to 100") end
            return patch(me("courses.progress") .. "/course-contents/" .. id_of("scalev.customer.courses.progress", uuid, "content"), { progress = progress })
          end
          customer.courses = courses
          s.customer = customer

          local v2 = {}
          v2.orders = {
            list = function(filters) return get("/v2/orders", table_of("scalev.v2.orders.list", "filters", filters, true)) end,
            each = function(filters, options) return each_v2("scalev.v2.orders.each", "/v2/orders", filters, options, "orders", true) end,
            get = function(id) return get("/v2/orders/" .. id_of("scalev.v2.orders.get", id)) end,
            create = function(fields) return post("/v2/orders", table_of("scalev.v2.orders.create", "fields", fields)) end,
          }
          for _, name in ipairs({ "products", "bundles", "stores" }) do
            v2[name] = {
              list = function(filters) return get("/v2/" .. name, table_of("scalev.v2." .. name .. ".list", "filters", filters, true)) end,
              each = function(filters, options) return each_v2("scalev.v2." .. name .. ".each", "/v2/" .. name, filters, options, name, false) end,
              get = function(id) return get("/v2/" .. name .. "/" .. id_of("scalev.v2." .. name .. ".get", id)) end,
            }
          end
          s.v2 = v2

          function s.call(operation, params)
            if type(operation) ~= "string" then fail("scalev.call: the operation id must be a string, got " .. type(operation)) end
            return answer(raw.call(cred, operation, encode(table_of("scalev.call", "params", params, true))))
          end
          function s.budget() return raw.budget(cred) end
          function s.with(name)
            if type(name) ~= "string" then fail("scalev.with: the credential name must be a string, got " .. type(name)) end
            return bind(raw.grant(name))
          end
          return s
        end

        scalev = bind(nil)
        """
}
