---@meta
-- Lunas' globals and stdlib modules for LuaLS (the Lua language server): completion, hovers and
-- checks in editors. `lunas new` writes a .luarc.json that loads this file and the stdlib folder
-- (so `require "lunas.money"` resolves to the real module). SpecRunnerTests/TypesTests check
-- it against the host: every global and field a script can read is declared here, and nothing
-- declared here is missing from the host.
--
-- Declarations are kept in one form the check reads: a global or field is `name = {}`,
-- `name = value` or `function name(...) end` at the start of a line; a stdlib module is a
-- `---@class lunas.NAME` with one `---@field` line per field (a table field names another class).

-- json ----------------------------------------------------------------------------------------

---JSON that keeps what Lua loses: `json.null`, arrays versus objects, integers up to 2^63-1.
json = {}

---The JSON `null` (distinct from a missing key).
---@type lightuserdata
json.null = nil

---Encodes a value as JSON text (money values as their decimal strings).
---@param value any
---@return string
function json.encode(value) end

---Decodes JSON text; `null` becomes `json.null`, arrays and objects stay distinguishable.
---@param text string
---@return any
function json.decode(text) end

---Marks a table as a JSON array (so an empty one encodes as `[]`); returns it.
---@generic T: table
---@param t? T
---@return T
function json.array(t) end

---Whether a table is marked or decoded as a JSON array.
---@param t table
---@return boolean
function json.is_array(t) end

-- log -----------------------------------------------------------------------------------------

---Log lines with fields, to standard error (`lunas run`) or the run's history (`lunas serve`).
log = {}

---@param message string
---@param fields? table<string, any>
function log.debug(message, fields) end

---@param message string
---@param fields? table<string, any>
function log.info(message, fields) end

---@param message string
---@param fields? table<string, any>
function log.warn(message, fields) end

---@param message string
---@param fields? table<string, any>
function log.error(message, fields) end

-- kv ------------------------------------------------------------------------------------------

---@class kv.options
---@field ttl? integer seconds the value lives
---@field version? integer write only if the value is at this version

---Durable values of the script's namespace (docs/store.md).
kv = {}

---@param key string
---@return any value, integer? version
function kv.get(key) end

---@param key string
---@param value any
---@param options? kv.options
---@return integer version
function kv.set(key, value, options) end

---Sets `key` only when it has no value; whether it did.
---@param key string
---@param value any
---@param options? kv.options
---@return boolean added
function kv.add(key, value, options) end

---Sets `key` only when it has a value; whether it did.
---@param key string
---@param value any
---@param options? kv.options
---@return boolean replaced
function kv.replace(key, value, options) end

---Compare and set: writes `value` only when the key is at `version`.
---@param key string
---@param version integer|nil
---@param value any
---@param options? kv.options
---@return boolean written, integer? version
function kv.cas(key, version, value, options) end

---@param key string
---@return boolean deleted
function kv.delete(key) end

---Adds `by` (default 1) to an integer value and returns it.
---@param key string
---@param by? integer
---@param options? kv.options
---@return integer
function kv.incr(key, by, options) end

---The keys with `prefix`, a page at a time.
---@param prefix? string
---@param options? table
---@return fun(): string?
function kv.keys(prefix, options) end

---Seconds left before `key` expires, or nil.
---@param key string
---@return integer?
function kv.ttl(key) end

---A lock on `name` for `seconds`; nil when another run holds it.
---@param name string
---@param seconds? number
---@param options? table
---@return table? lock
function kv.lock(name, seconds, options) end

---The shared namespace `name` (granted with --shared-ns or `shared` in lunas.toml).
---@param name string
---@return table
function kv.shared(name) end

-- scalev --------------------------------------------------------------------------------------

---@class scalev.page
---@field data table[]
---@field has_next boolean
---@field next_cursor? string

---@class scalev.each_options
---@field total? integer shown in progress lines
---@field progress? boolean false keeps the iterator quiet

---The Scalev API (docs/scalev-lua.md). Errors are tables: `status`, `code`, `message`,
---`retryable`, `ambiguous`.
scalev = {}

---Any v3 business operation of the catalog by its operationId.
---@param operation string
---@param params? table
---@return any
function scalev.call(operation, params) end

---The same modules over another credential of the run (`scalev.with("readonly")`).
---@param credential string
---@return table
function scalev.with(credential) end

---The state of the credential's rate budget.
---@param credential? string
---@return table
function scalev.budget(credential) end

scalev.orders = {}
---@param filters? table
---@return scalev.page
function scalev.orders.list(filters) end
---@param filters? table
---@param options? scalev.each_options
---@return fun(): table?
function scalev.orders.each(filters, options) end
---@return table order
function scalev.orders.get(id) end
---@param fields table
---@return table order
function scalev.orders.create(fields) end
---@param fields table
function scalev.orders.update(id, fields) end
---@param ids any[]
---@param fields { status?: string, payment_status?: string }
function scalev.orders.change_status(ids, fields) end
---@param ids any[]
---@param fields? table
function scalev.orders.mark_paid(ids, fields) end
---@param ids any[]
function scalev.orders.cancel(ids) end
---@param ids any[]
function scalev.orders.delete(ids) end
---@return string[]
function scalev.orders.tags() end
---Replaces every tag of the order.
---@param tags string[]
function scalev.orders.set_tags(id, tags) end
---Adds tags, keeping the others.
---@param tags string[]
function scalev.orders.add_tags(id, tags) end
---Removes tags, keeping the others.
---@param tags string[]
function scalev.orders.remove_tags(id, tags) end
function scalev.orders.actions(id) end
function scalev.orders.send_digital(id) end
function scalev.orders.send_lms_access(id) end
---@param filters? table
function scalev.orders.statistics(filters) end

scalev.products = {}
---@return scalev.page
function scalev.products.list(filters) end
---@return fun(): table?
function scalev.products.each(filters, options) end
function scalev.products.get(id) end
function scalev.products.create(fields) end
function scalev.products.update(id, fields) end
function scalev.products.delete(id) end
function scalev.products.count(filters) end

scalev.stores = {}
---@return scalev.page
function scalev.stores.list(filters) end
---@return fun(): table?
function scalev.stores.each(filters, options) end
function scalev.stores.get(id) end
function scalev.stores.create(fields) end
function scalev.stores.update(id, fields) end
function scalev.stores.delete(id) end
function scalev.stores.products(store, filters) end
---@return fun(): table?
function scalev.stores.each_product(store, filters, options) end

scalev.customers = {}
---@return scalev.page
function scalev.customers.list(filters) end
---@return fun(): table?
function scalev.customers.each(filters, options) end
function scalev.customers.get(id) end
function scalev.customers.create(fields) end
function scalev.customers.update(id, fields) end
---@param tags string[]
function scalev.customers.set_tags(id, tags) end
---@param tags string[]
function scalev.customers.add_tags(id, tags) end
---@param tags string[]
function scalev.customers.remove_tags(id, tags) end
function scalev.customers.count(filters) end
function scalev.customers.tags() end

scalev.checkout_intents = {}
---@return scalev.page
function scalev.checkout_intents.list(filters) end
---@return fun(): table?
function scalev.checkout_intents.each(filters, options) end
function scalev.checkout_intents.get(id) end
---One recovery email per intent (409 when already sent).
function scalev.checkout_intents.follow_up_email(id) end

scalev.digital = {}
function scalev.digital.files(variant) end
function scalev.digital.course(variant) end
function scalev.digital.customers(variant, filters) end
---@return fun(): table?
function scalev.digital.each_customer(variant, filters, options) end
function scalev.digital.resend_files(order) end
function scalev.digital.resend_lms_access(order) end

---Needs a storefront credential; the guest cart's token is kept by the host.
scalev.storefront = {}
function scalev.storefront.items(filters) end
function scalev.storefront.product(slug) end
function scalev.storefront.payment_methods() end
function scalev.storefront.locations(filters) end
function scalev.storefront.cart() end
function scalev.storefront.add_to_cart(item) end
function scalev.storefront.update_cart_item(id, quantity) end
function scalev.storefront.remove_cart_item(id) end
function scalev.storefront.shipping_options(request) end
function scalev.storefront.summary(request) end
function scalev.storefront.checkout(order) end
function scalev.storefront.order(secret_slug) end
function scalev.storefront.payment(secret_slug) end

---Needs a customer credential (a signed-in customer).
scalev.customer = {}
function scalev.customer.profile() end
function scalev.customer.update_profile(fields) end
function scalev.customer.addresses() end
function scalev.customer.cart() end
function scalev.customer.add_to_cart(item) end
function scalev.customer.shipping_options(request) end
function scalev.customer.summary(request) end
function scalev.customer.checkout(order) end
scalev.customer.orders = {}
function scalev.customer.orders.list(filters) end
---@return fun(): table?
function scalev.customer.orders.each(filters, options) end
function scalev.customer.orders.get(id) end
scalev.customer.subscriptions = {}
function scalev.customer.subscriptions.list(filters) end
---@return fun(): table?
function scalev.customer.subscriptions.each(filters, options) end
function scalev.customer.subscriptions.get(id) end
function scalev.customer.subscriptions.cancel(id, fields) end
function scalev.customer.subscriptions.resume(id) end
function scalev.customer.subscriptions.upgrade_options(id) end
function scalev.customer.subscriptions.upgrade(id, fields) end
function scalev.customer.subscriptions.downgrade_options(id) end
function scalev.customer.subscriptions.downgrade(id, fields) end
scalev.customer.courses = {}
function scalev.customer.courses.course(id) end
function scalev.customer.courses.section(id) end
function scalev.customer.courses.content(id) end
function scalev.customer.courses.progress(id, fields) end

---The legacy v2 API; answers keep v2's `{ code, status, data }` envelope.
scalev.v2 = {}
scalev.v2.orders = {}
function scalev.v2.orders.list(filters) end
---@return fun(): table?
function scalev.v2.orders.each(filters, options) end
function scalev.v2.orders.get(id) end
function scalev.v2.orders.create(fields) end
scalev.v2.products = {}
function scalev.v2.products.list(filters) end
---@return fun(): table?
function scalev.v2.products.each(filters, options) end
function scalev.v2.products.get(id) end
scalev.v2.bundles = {}
function scalev.v2.bundles.list(filters) end
---@return fun(): table?
function scalev.v2.bundles.each(filters, options) end
function scalev.v2.bundles.get(id) end
scalev.v2.stores = {}
function scalev.v2.stores.list(filters) end
---@return fun(): table?
function scalev.v2.stores.each(filters, options) end
function scalev.v2.stores.get(id) end

-- arg -----------------------------------------------------------------------------------------

---`arg[0]` the script's path, `arg[1...]` the arguments after `--`.
---@type string[]
arg = {}

-- rules files (lunas serve; docs/serve.md) ----------------------------------------------------

---@class rules.options
---@field name? string
---@field attempts? integer
---@field zone? string cron only
---@field catch_up? "skip"|"latest"|"all"
---@field catch_up_window? string|integer
---@field overlap? "skip"|"queue_one"|"allow"

---@class rules.event
---@field event string
---@field unique_id string
---@field timestamp string
---@field data table

---@class rules.fire
---@field scheduled string ISO 8601 with offset
---@field scheduled_epoch integer
---@field catch_up boolean
---@field name string

---Handles webhook events whose name matches `pattern` (`order.*`); returns the rule's name.
---@param pattern string
---@param handler fun(event: rules.event)
---@param options? rules.options
---@return string
function on(pattern, handler, options) end

---A schedule: five cron fields or @daily/@hourly/...; returns the rule's name.
---@param spec string
---@param handler fun(fire: rules.fire)
---@param options? rules.options
---@return string
function cron(spec, handler, options) end

---A schedule at the multiples of `duration` since the epoch ("15m").
---@param duration string|integer
---@param handler fun(fire: rules.fire)
---@param options? rules.options
---@return string
function every(duration, handler, options) end

---A named handler for `after`/`at` timers.
---@param name string
---@param handler fun(args: table)
---@param options? rules.options
---@return string
function job(name, handler, options) end

---From a handler: runs `job_name` with `args` after `duration` ("2h", or seconds); the timer's key.
---@param duration string|integer
---@param job_name string
---@param args? table
---@param options? { key?: string }
---@return string
function after(duration, job_name, args, options) end

---From a handler: runs `job_name` at `time` (epoch seconds, or ISO 8601 with offset); the key.
---@param time integer|string
---@param job_name string
---@param args? table
---@param options? { key?: string }
---@return string
function at(time, job_name, args, options) end

-- stdlib modules (require "lunas.NAME") -------------------------------------------------------

---@class lunas.Money
---@field sen integer the amount in sen
---@field mul fun(self: lunas.Money, factor: integer|string, mode?: lunas.RoundingMode): lunas.Money
---@field round fun(self: lunas.Money, places: integer, mode?: lunas.RoundingMode): lunas.Money
---@field allocate fun(self: lunas.Money, ratios: integer[]): lunas.Money[]
---@field format fun(self: lunas.Money): string "Rp 125.000,50"
---@operator add(lunas.Money): lunas.Money
---@operator sub(lunas.Money): lunas.Money

---@alias lunas.RoundingMode "half_even"|"half_up"|"down"|"up"

---`require "lunas.money"`: exact money in sen; `money("125000.50")`, `money(125000)`.
---@class lunas.money
---@field parse fun(text: string): lunas.Money "Rp 1.250" is 1250
---@field sum fun(list: (lunas.Money|string|integer)[]): lunas.Money
---@overload fun(amount: string|integer|lunas.Money): lunas.Money

---`require "lunas.time"`: instants are seconds since 1970 (os.time's).
---@class lunas.time
---@field zone string the configuration's time_zone (Asia/Jakarta by default)
---@field now fun(): integer
---@field parse fun(text: string, zone?: string): number
---@field date fun(t: number, zone?: string): osdate
---@field format fun(t: number, zone?: string): string ISO 8601 with offset
---@field duration fun(text: string): integer "15m", "2h", "7d" in seconds
---@field start_of fun(t: number, unit: "day"|"week"|"month", zone?: string): integer
---@field add_months fun(t: number, n: integer, zone?: string): integer

---@class lunas.test.expectation
---@field to_equal fun(expected: any)
---@field to_be fun(expected: any)
---@field to_be_truthy fun()
---@field to_be_falsy fun()
---@field to_be_nil fun()
---@field to_contain fun(item: any)
---@field to_error fun(pattern?: string): any
---@field never lunas.test.expectation

---@class lunas.test.run
---@field rule string
---@field script string
---@field ok boolean
---@field error? string
---@field timers integer
---@field at? string
---@field key? string

---@class lunas.test.sandbox
---@field reset fun()
---@field order fun(fields?: table): table

---@class lunas.test.rules
---@field load fun(path: string): string[]
---@field emit fun(event: string, data?: table): lunas.test.run[]
---@field fire fun(name: string): lunas.test.run
---@field advance fun(duration: string|integer): lunas.test.run[]
---@field timers fun(): { job: string, at: string, epoch: integer, args: string, key: string, script: string }[]
---@field clear fun()

---`require "lunas.test"`: busted-style specs for `lunas test` (docs/testing.md).
---@class lunas.test
---@field describe fun(name: string, body: fun())
---@field it fun(name: string, body: fun())
---@field before_each fun(hook: fun())
---@field after_each fun(hook: fun())
---@field expect fun(actual: any): lunas.test.expectation
---@field equal fun(a: any, b: any): boolean
---@field render fun(value: any): string
---@field sandbox lunas.test.sandbox
---@field rules lunas.test.rules
---@field run fun(path: string, args?: string[]): { ok: boolean, error?: string, output: string, values?: any[] }

---Suspends the run for `seconds` (other runs go on); a sleep past the run's deadline ends the run there.
---@param seconds number
function sleep(seconds) end

---Seconds left before the run's deadline, or nil when it has none.
---@return number?
function deadline_remaining() end

---The script's own settings from `[scripts.NAME.config]` in lunas.toml (read-only).
---@type table<string, any>
config = {}

---@class http.options
---@field json? any a value sent as JSON
---@field body? string
---@field headers? table<string, string>
---@field timeout? number seconds (default 10, never past the deadline)

---@class http.response
---@field status integer
---@field headers table<string, string>
---@field body string
---@field json? any the decoded body, when it is JSON

---Outbound HTTP to the hosts `[http] allow` names.
http = {}
---@param url string
---@param options? http.options
---@return http.response
function http.get(url, options) end
---@param url string
---@param options? http.options
---@return http.response
function http.post(url, options) end

---The one file `lunas run --input FILE` grants.
input = {}
---@return string
function input.text() end
---@return fun(): string?
function input.lines() end

---The one file `lunas run --output FILE` grants.
output = {}
---@param ... string
function output.write(...) end

---`require "lunas.batch"`: `batch(list, fn, { size = 100 })` calls fn per chunk and reports the failed ones.
---@class lunas.batch
---@field chunks fun(list: any[], size?: integer): any[][]

---`require "lunas.csv"`: RFC 4180 parsing.
---@class lunas.csv
---@field parse fun(text: string, options?: { header?: boolean, sep?: string }): table[], string[]?

---`require "lunas.report"`: rows to CSV and to aligned text.
---@class lunas.report
---@field csv fun(rows: table[], columns?: any[], options?: { sep?: string, eol?: string, header?: boolean }): string
---@field text fun(rows: table[], columns?: any[], options?: { header?: boolean }): string

---`require "lunas.retry"`: `retry(fn, { attempts = 3 })` retries retryable errors inside the deadline.
---@class lunas.retry
---@field wrap fun(fn: function, options?: table): function
---@field retryable fun(err: any): boolean

---`require "lunas.validate"`: Indonesian phone numbers to E.164, emails.
---@class lunas.validate
---@field phone fun(value: string?): string?, string?
---@field email fun(value: string?): string?, string?
