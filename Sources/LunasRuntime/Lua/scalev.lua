-- The Lua side of `scalev` (chunk `=lunas.scalev`, which error positions skip): argument checks and
-- paging. Each function names its operation (the v3 catalog's, or the notes' for the routes outside
-- it); the host builds the path from the ids and checks every filter and field against the
-- operation before anything is sent. Filters and bodies cross as JSON text through the C codec;
-- errors are raised by the host at the script's line.
local raw, encode, decode, null, array = rawget(_G, "__scalev"), json.encode, json.decode, json.null, json.array
__scalev = nil
local type, pairs, ipairs, tostring, setmetatable, getmetatable, math_type = type, pairs, ipairs, tostring, setmetatable, getmetatable, math.type
local sort, concat = table.sort, table.concat
local fail = raw.fail

local function id_of(fname, id, what)
  local t = type(id)
  if t == "string" and id ~= "" then return id end
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

-- An answer of the host: `status, body text, dry_run` -> the decoded body (`true` when empty).
local function answer(_, text, dry)
  if text == nil or #text == 0 then
    if dry then return { dry_run = true } end
    return true
  end
  local value = decode(text)
  if dry and type(value) == "table" then value.dry_run = true end
  return value
end

-- Items of a paged list, one page in memory at a time: `fetch(query)` answers a page's
-- items and a function that moves `query` (a copy of the filters) to the next page (false when
-- there is none).
local function walk(fname, query, options, label, fetch)
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

-- Reading a name a module does not have is an error with the nearest name, here and in every
-- table of functions below it (`scalev.order` -> did you mean `scalev.orders`?).
local function guarded(module, path)
  local names = {}
  for name, value in pairs(module) do
    names[#names + 1] = name
    if type(value) == "table" and getmetatable(value) == nil then guarded(value, path .. "." .. name) end
  end
  return setmetatable(module, {
    __metatable = false,
    __index = function(_, name)
      local hint = type(name) == "string" and raw.nearest(name, names)
      fail(path .. "." .. tostring(name) .. " does not exist" .. (hint and (" (did you mean " .. path .. "." .. hint .. "?)") or ""))
    end,
  })
end

local function bind(cred)
  local s = {}

  -- `operation` with the path's `ids` (in template order) and either `filters` (the query) or
  -- `fields` (the body); `fname` names the function in the host's errors.
  local function read(fname, operation, ids, filters)
    return answer(raw.operation(cred, fname, operation, ids, encode(table_of(fname, "filters", filters, true)), nil))
  end
  local function write(fname, operation, ids, fields)
    return answer(raw.operation(cred, fname, operation, ids, nil, fields ~= nil and encode(fields) or nil))
  end

  -- The filters of a list, checked before the first page is asked for.
  local function filters_of(fname, operation, ids, filters)
    local query = copy(table_of(fname, "filters", filters, true))
    raw.check(fname, operation, ids, encode(query))
    return query
  end

  -- v3 cursor pagination: `next_cursor` while `has_next`.
  local function each(fname, operation, ids, filters, options, label)
    return walk(fname, filters_of(fname, operation, ids, filters), options, label, function(query)
      local page = read(fname, operation, ids, query)
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
  local function each_v2(fname, operation, filters, options, label, by_last_id)
    return walk(fname, filters_of(fname, operation, {}, filters), options, label, function(query)
      if not by_last_id then query.page = query.page or 1 end
      local envelope = read(fname, operation, {}, query)
      local page = type(envelope) == "table" and envelope.data or nil
      if type(page) ~= "table" or type(page.results) ~= "table" then fail(fname .. ": the answer is not a page of results") end
      return page.results, function(q)
        if not page.has_next or #page.results == 0 then return false end
        if by_last_id then q.last_id = page.last_id else q.page = q.page + 1 end
        return true
      end
    end)
  end

  -- The usual functions of a resource, each over the catalog operation `ops` names.
  local function resource(name, ops)
    local m = {}
    local p = "scalev." .. name .. "."
    if ops.list then
      m.list = function(filters) return read(p .. "list", ops.list, {}, filters) end
      m.each = function(filters, options) return each(p .. "each", ops.list, {}, filters, options, name) end
    end
    if ops.get then
      m.get = function(id) return read(p .. "get", ops.get, { id_of(p .. "get", id) }) end
    end
    if ops.create then
      m.create = function(fields) return write(p .. "create", ops.create, {}, table_of(p .. "create", "fields", fields)) end
    end
    if ops.update then
      m.update = function(id, fields) return write(p .. "update", ops.update, { id_of(p .. "update", id) }, table_of(p .. "update", "fields", fields)) end
    end
    if ops.delete then
      m.delete = function(id) return write(p .. "delete", ops.delete, { id_of(p .. "delete", id) }) end
    end
    return m
  end

  -- Tags: the API's update-tags replaces every tag; add/remove read the current ones first.
  local function tagging(m, name, get_one, update_tags)
    local p = "scalev." .. name .. "."
    function m.set_tags(id, tags)
      return write(p .. "set_tags", update_tags, { id_of(p .. "set_tags", id) }, { tags = list(strings_of(p .. "set_tags", "tags", tags)) })
    end
    local function change(fname, id, tags, keep)
      strings_of(fname, "tags", tags)
      local current = read(fname, get_one, { id_of(fname, id) })
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
      return write(fname, update_tags, { id_of(fname, id) }, { tags = array(next_tags) })
    end
    function m.add_tags(id, tags) return change(p .. "add_tags", id, tags, true) end
    function m.remove_tags(id, tags) return change(p .. "remove_tags", id, tags, false) end
  end

  -- orders
  local orders = resource("orders", { list = "listOrders", get = "getOrder", create = "createOrder", update = "updateOrder" })
  tagging(orders, "orders", "getOrder", "updateOrderTags")
  function orders.change_status(ids, fields)
    fields = copy(table_of("scalev.orders.change_status", "fields", fields))
    if fields.status == nil and fields.payment_status == nil then
      fail("scalev.orders.change_status: give fields.status and/or fields.payment_status")
    end
    fields.ids = list(ids_of("scalev.orders.change_status", ids))
    return write("scalev.orders.change_status", "changeOrderStatus", {}, fields)
  end
  function orders.mark_paid(ids, fields)
    fields = copy(table_of("scalev.orders.mark_paid", "fields", fields, true))
    fields.payment_status = "paid"
    fields.ids = list(ids_of("scalev.orders.mark_paid", ids))
    return write("scalev.orders.mark_paid", "changeOrderStatus", {}, fields)
  end
  function orders.cancel(ids)
    return write("scalev.orders.cancel", "changeOrderStatus", {}, { ids = list(ids_of("scalev.orders.cancel", ids)), status = "canceled" })
  end
  function orders.delete(ids) return write("scalev.orders.delete", "deleteOrders", {}, { ids = list(ids_of("scalev.orders.delete", ids)) }) end
  function orders.tags() return read("scalev.orders.tags", "listOrderTags", {}).data end
  function orders.actions(id) return read("scalev.orders.actions", "getOrderActions", { id_of("scalev.orders.actions", id) }) end
  function orders.send_digital(id) return write("scalev.orders.send_digital", "sendDigitalProduct", { id_of("scalev.orders.send_digital", id) }) end
  function orders.send_lms_access(id) return write("scalev.orders.send_lms_access", "sendLmsAccess", { id_of("scalev.orders.send_lms_access", id) }) end
  function orders.statistics(filters) return read("scalev.orders.statistics", "getOrderStatistics", {}, filters) end
  s.orders = orders

  s.products = resource("products", { list = "listProducts", get = "getProduct", create = "createProduct", update = "updateProduct", delete = "deleteProduct" })
  function s.products.count(filters) return read("scalev.products.count", "countProducts", {}, filters) end

  local stores = resource("stores", {
    list = "listBusinessStores", get = "getBusinessStore", create = "createBusinessStore", update = "updateBusinessStore", delete = "deleteBusinessStore",
  })
  function stores.products(store, filters)
    return read("scalev.stores.products", "listBusinessStoreProducts", { id_of("scalev.stores.products", store, "store") }, filters)
  end
  function stores.each_product(store, filters, options)
    local fname = "scalev.stores.each_product"
    return each(fname, "listBusinessStoreProducts", { id_of(fname, store, "store") }, filters, options, "products")
  end
  s.stores = stores

  local customers = resource("customers", {
    list = "listBusinessCustomers", get = "getBusinessCustomer", create = "createBusinessCustomer", update = "updateBusinessCustomer",
  })
  tagging(customers, "customers", "getBusinessCustomer", "updateBusinessCustomerTags")
  function customers.count(filters) return read("scalev.customers.count", "countBusinessCustomers", {}, filters) end
  function customers.tags() return read("scalev.customers.tags", "listBusinessCustomerTags", {}).data end
  s.customers = customers

  -- checkout intents, the storefront, the customer and v2 are not in the catalog: their operations
  -- are the notes' (OperationCatalog.notes)
  local intents = {}
  function intents.list(filters) return read("scalev.checkout_intents.list", "listCheckoutIntents", {}, filters) end
  function intents.each(filters, options) return each("scalev.checkout_intents.each", "listCheckoutIntents", {}, filters, options, "checkout_intents") end
  function intents.get(id) return read("scalev.checkout_intents.get", "getCheckoutIntent", { id_of("scalev.checkout_intents.get", id) }) end
  function intents.follow_up_email(id)
    return write("scalev.checkout_intents.follow_up_email", "sendCheckoutIntentFollowUpEmail", { id_of("scalev.checkout_intents.follow_up_email", id) })
  end
  s.checkout_intents = intents

  local digital = {}
  function digital.files(variant) return read("scalev.digital.files", "listVariantDigitalProductFiles", { id_of("scalev.digital.files", variant, "variant") }) end
  function digital.course(variant) return read("scalev.digital.course", "getVariantCourse", { id_of("scalev.digital.course", variant, "variant") }) end
  function digital.customers(variant, filters)
    return read("scalev.digital.customers", "listVariantCustomers", { id_of("scalev.digital.customers", variant, "variant") }, filters)
  end
  function digital.each_customer(variant, filters, options)
    local fname = "scalev.digital.each_customer"
    return each(fname, "listVariantCustomers", { id_of(fname, variant, "variant") }, filters, options, "customers")
  end
  digital.resend_files = orders.send_digital
  digital.resend_lms_access = orders.send_lms_access
  s.digital = digital

  -- storefront and customer: the store comes from the credential; `sf(name)` and `me(name)` answer
  -- the function's full name and the store, the first id of each of their paths
  local function store_of(fname, kinds)
    local kind, store = raw.kind(cred)
    if not kinds[kind] then
      local wanted = {}
      for k in pairs(kinds) do wanted[#wanted + 1] = k end
      sort(wanted)
      fail(fname .. ": credential '" .. tostring(cred or "default") .. "' is a " .. kind .. " credential; this needs a " .. concat(wanted, " or ") .. " one (use scalev.with(name))")
    end
    return store
  end
  local function sf(name)
    local fname = "scalev.storefront." .. name
    return fname, store_of(fname, { storefront = true })
  end
  local storefront = {}
  function storefront.items(filters) local f, store = sf("items") return read(f, "listStorefrontItems", { store }, filters) end
  function storefront.product(slug) local f, store = sf("product") return read(f, "getStorefrontProduct", { store, id_of(f, slug, "slug") }) end
  function storefront.payment_methods() local f, store = sf("payment_methods") return read(f, "listStorefrontPaymentMethods", { store }).data end
  function storefront.locations(filters) local f, store = sf("locations") return read(f, "listStorefrontLocations", { store }, filters) end
  function storefront.cart() local f, store = sf("cart") return read(f, "getStorefrontCart", { store }) end
  function storefront.add_to_cart(item) local f, store = sf("add_to_cart") return write(f, "addStorefrontCartItem", { store }, table_of(f, "item", item)) end
  function storefront.update_cart_item(id, quantity)
    local f, store = sf("update_cart_item")
    return write(f, "updateStorefrontCartItem", { store, id_of(f, id) }, { quantity = quantity })
  end
  function storefront.remove_cart_item(id) local f, store = sf("remove_cart_item") return write(f, "removeStorefrontCartItem", { store, id_of(f, id) }) end
  function storefront.shipping_options(request)
    local f, store = sf("shipping_options")
    return write(f, "listStorefrontShippingOptions", { store }, table_of(f, "request", request))
  end
  function storefront.summary(request) local f, store = sf("summary") return write(f, "getStorefrontCheckoutSummary", { store }, table_of(f, "request", request)) end
  function storefront.checkout(order) local f, store = sf("checkout") return write(f, "createStorefrontCheckout", { store }, table_of(f, "order", order)) end
  function storefront.order(slug) local f, store = sf("order") return read(f, "getStorefrontOrder", { store, id_of(f, slug, "secret_slug") }) end
  function storefront.payment(slug) local f, store = sf("payment") return write(f, "createStorefrontOrderPayment", { store, id_of(f, slug, "secret_slug") }) end
  s.storefront = storefront

  local function me(name)
    local fname = "scalev.customer." .. name
    return fname, store_of(fname, { customer = true })
  end
  local customer = {}
  function customer.profile() local f, store = me("profile") return read(f, "getCustomerProfile", { store }) end
  function customer.update_profile(fields) local f, store = me("update_profile") return write(f, "updateCustomerProfile", { store }, table_of(f, "fields", fields)) end
  function customer.addresses() local f, store = me("addresses") return read(f, "listCustomerAddresses", { store }) end
  function customer.cart() local f, store = me("cart") return read(f, "getCustomerCart", { store }) end
  function customer.add_to_cart(item) local f, store = me("add_to_cart") return write(f, "addCustomerCartItem", { store }, table_of(f, "item", item)) end
  function customer.shipping_options(request)
    local f, store = me("shipping_options")
    return write(f, "listCustomerShippingOptions", { store }, table_of(f, "request", request))
  end
  function customer.summary(request) local f, store = me("summary") return write(f, "getCustomerCheckoutSummary", { store }, table_of(f, "request", request)) end
  function customer.checkout(order) local f, store = me("checkout") return write(f, "createCustomerCheckout", { store }, table_of(f, "order", order)) end
  customer.orders = {
    list = function(filters) local f, store = me("orders.list") return read(f, "listCustomerOrders", { store }, filters) end,
    each = function(filters, options) local f, store = me("orders.each") return each(f, "listCustomerOrders", { store }, filters, options, "orders") end,
    get = function(id) local f, store = me("orders.get") return read(f, "getCustomerOrder", { store, id_of(f, id) }) end,
  }
  local subs = {}
  function subs.list(filters) local f, store = me("subscriptions.list") return read(f, "listCustomerSubscriptions", { store }, filters) end
  function subs.each(filters, options)
    local f, store = me("subscriptions.each")
    return each(f, "listCustomerSubscriptions", { store }, filters, options, "subscriptions")
  end
  function subs.get(id) local f, store = me("subscriptions.get") return read(f, "getCustomerSubscription", { store, id_of(f, id) }) end
  function subs.cancel(id) local f, store = me("subscriptions.cancel") return write(f, "cancelCustomerSubscription", { store, id_of(f, id) }) end
  function subs.resume(id) local f, store = me("subscriptions.resume") return write(f, "resumeCustomerSubscription", { store, id_of(f, id) }) end
  for way, operations in pairs({ upgrade = { "listSubscriptionItemUpgrades", "upgradeSubscriptionItem" },
                                 downgrade = { "listSubscriptionItemDowngrades", "downgradeSubscriptionItem" } }) do
    subs[way .. "_options"] = function(item)
      local f, store = me("subscriptions." .. way .. "_options")
      return read(f, operations[1], { store, id_of(f, item, "item") }).data
    end
    subs[way] = function(item, variant)
      local f, store = me("subscriptions." .. way)
      return write(f, operations[2], { store, id_of(f, item, "item") }, { variant_id = variant })
    end
  end
  customer.subscriptions = subs
  local courses = {}
  function courses.course(variant) local f, store = me("courses.course") return read(f, "getCustomerCourse", { store, id_of(f, variant, "variant") }) end
  function courses.section(uuid) local f, store = me("courses.section") return read(f, "getCustomerCourseSection", { store, id_of(f, uuid, "section") }) end
  function courses.content(uuid) local f, store = me("courses.content") return read(f, "getCustomerCourseContent", { store, id_of(f, uuid, "content") }) end
  function courses.progress(uuid, progress)
    local f, store = me("courses.progress")
    if math_type(progress) == nil or progress < 0 or progress > 100 then fail(f .. ": progress must be a number from 0 to 100") end
    return write(f, "updateCustomerCourseProgress", { store, id_of(f, uuid, "content") }, { progress = progress })
  end
  customer.courses = courses
  s.customer = customer

  local v2 = {}
  v2.orders = {
    list = function(filters) return read("scalev.v2.orders.list", "listV2Orders", {}, filters) end,
    each = function(filters, options) return each_v2("scalev.v2.orders.each", "listV2Orders", filters, options, "orders", true) end,
    get = function(id) return read("scalev.v2.orders.get", "getV2Order", { id_of("scalev.v2.orders.get", id) }) end,
    create = function(fields) return write("scalev.v2.orders.create", "createV2Order", {}, table_of("scalev.v2.orders.create", "fields", fields)) end,
  }
  for name, noun in pairs({ products = "Product", bundles = "Bundle", stores = "Store" }) do
    local p = "scalev.v2." .. name .. "."
    v2[name] = {
      list = function(filters) return read(p .. "list", "listV2" .. noun .. "s", {}, filters) end,
      each = function(filters, options) return each_v2(p .. "each", "listV2" .. noun .. "s", filters, options, name, false) end,
      get = function(id) return read(p .. "get", "getV2" .. noun, { id_of(p .. "get", id) }) end,
    }
  end
  s.v2 = v2

  -- `{ response = true }` adds `{ status =, headers = }` beside the value.
  function s.call(operation, params, options)
    if type(operation) ~= "string" then fail("scalev.call: the operation id must be a string, got " .. type(operation)) end
    options = table_of("scalev.call", "options", options, true)
    for name in pairs(options) do
      if name ~= "response" then fail("scalev.call: unknown option '" .. tostring(name) .. "' (options: response)") end
    end
    local want = options.response == true
    local status, text, dry, headers = raw.call(cred, operation, encode(table_of("scalev.call", "params", params, true)), want)
    local value = answer(status, text, dry)
    if want then return value, { status = status, headers = headers } end
    return value
  end
  function s.budget() return raw.budget(cred) end
  function s.with(name)
    if type(name) ~= "string" then fail("scalev.with: the credential name must be a string, got " .. type(name)) end
    return bind(raw.grant(name))
  end
  return guarded(s, "scalev")
end

scalev = bind(nil)
