-- Edge cases of the json module (Sources/CLua/json.c).
-- Uses only the global `json` and the base, string, table and math libraries.
-- Raises an error listing every failed check; otherwise returns the number of checks.
-- Decode errors name 0-based byte offsets; encode errors name a path with Lua indices.

local checks, failures = 0, {}

local function check(name, cond, detail)
    checks = checks + 1
    if not cond then
        failures[#failures + 1] = name .. (detail ~= nil and (": " .. tostring(detail)) or "")
    end
end

local function show(v)
    if type(v) == "string" then return string.format("%q", v) end
    if math.type(v) == "float" then return string.format("%a (float)", v) end
    return tostring(v) .. (math.type(v) == "integer" and " (integer)" or "")
end

local function eq(name, got, want)
    check(name, got == want and math.type(got) == math.type(want),
        "got " .. show(got) .. ", want " .. show(want))
end

-- f must raise an error whose message contains `want` (plain text).
local function fails(name, want, f, ...)
    local ok, msg = pcall(f, ...)
    check(name, not ok and type(msg) == "string" and msg:find(want, 1, true) ~= nil,
        ok and "no error" or ("error " .. show(msg) .. ", want " .. show(want)))
end

local function same_float(x, y)
    return math.type(y) == "float" and x == y and 1 / x == 1 / y
        and string.format("%a", x) == string.format("%a", y)
end

local dec, enc = json.decode, json.encode
local sorted = { sort_keys = true }

-- integers --------------------------------------------------------------------
eq("maxinteger decodes", dec("9223372036854775807"), math.maxinteger)
eq("mininteger decodes", dec("-9223372036854775808"), math.mininteger)
eq("maxinteger encodes", enc(math.maxinteger), "9223372036854775807")
eq("mininteger encodes", enc(math.mininteger), "-9223372036854775808")
for _, v in ipairs({ 0, 1, -1, 42, 1 << 53, (1 << 53) + 1, math.maxinteger, math.mininteger,
                     math.maxinteger - 1, math.mininteger + 1, 1000000007 }) do
    eq("integer round trip " .. v, dec(enc(v)), v)
end
eq("2^63 decodes as float", dec("9223372036854775808"), 2.0 ^ 63)
eq("-2^63-1 decodes as float", dec("-9223372036854775809"), -(2.0 ^ 63))
eq("1e20 digits decode as float", dec("100000000000000000000"), 1e20)
eq("huge integer decodes as float", dec("123456789012345678901234567890"), 1.2345678901234568e29)
eq("0 is an integer", dec("0"), 0)
eq("-0 is the integer 0", dec("-0"), 0)
eq("exponent makes a float", dec("1e2"), 100.0)
eq("capital exponent", dec("1E+2"), 100.0)
eq("fraction makes a float", dec("1.0"), 1.0)
eq("negative exponent", dec("-1.5e-3"), -0.0015)
check("-0.0 decodes as negative zero", same_float(-0.0, dec("-0.0")))
eq("integers inside arrays", math.type(dec("[7]")[1]), "integer")

-- floats ----------------------------------------------------------------------
for _, v in ipairs({ 0.1, 0.2, 0.3, 1 / 3, 2 / 3, 1e-300, 5e-324, 2.2250738585072014e-308,
                     2.225073858507201e-308, 1.7976931348623157e308, -1.7976931348623157e308,
                     -0.0, 0.0, 1.0, -1.0, 3.0, 1e16, 1e15, 1e21, 1e22, 1e23, 2.0 ^ 53,
                     2.0 ^ 53 + 2, 2.0 ^ 63, 2.0 ^ 64, 123456.789, 9007199254740993.0,
                     4.35, 0.1 + 0.2, 100 / 3, math.pi, -math.pi, 1e300 * 10, 299792.458 }) do
    local s = enc(v)
    local back = dec(s)
    check("float round trip " .. string.format("%a", v) .. " via " .. s, same_float(v, back), show(back))
end
eq("1.0 encodes", enc(1.0), "1.0")
eq("-0.0 encodes", enc(-0.0), "-0.0")
eq("0.0 encodes", enc(0.0), "0.0")
eq("1e300 encodes", enc(1e300), "1e+300")
eq("0.1 encodes", enc(0.1), "0.1")
eq("1e-7 encodes", enc(1e-7), "1e-07")
eq("2^53 encodes", enc(2.0 ^ 53), "9007199254740992.0")
eq("0.1+0.2 encodes with 17 digits", enc(0.1 + 0.2), "0.30000000000000004")
eq("max double encodes", enc(1.7976931348623157e308), "1.7976931348623157e+308")
eq("12.5 encodes", enc(12.5), "12.5")
fails("NaN", "json.encode: cannot encode NaN at $", enc, 0 / 0)
fails("inf", "json.encode: cannot encode inf at $.x", enc, { x = math.huge })
fails("-inf", "json.encode: cannot encode -inf at $[2]", enc, { 1, -math.huge })

-- null ------------------------------------------------------------------------
check("null is a light userdata", type(json.null) == "userdata")
eq("null decodes to json.null", dec("null"), json.null)
do
    local t = dec("[1,null,3,null]")
    eq("nulls keep array length", #t, 4)
    eq("null in array", t[2], json.null)
    eq("trailing null in array", t[4], json.null)
    eq("array with nulls round trip", enc(t), "[1,null,3,null]")
    local o = dec('{"a":null}')
    eq("null in object", o.a, json.null)
    eq("null in object round trip", enc(o), '{"a":null}')
end
eq("nil encodes", enc(nil), "null")
eq("json.null encodes", enc(json.null), "null")
eq("json.array with nulls", enc(json.array(1, json.null, 3)), "[1,null,3]")
eq("json.array with nil hole", enc(json.array(1, nil, 3)), "[1,null,3]")
eq("literals", enc(dec(" [ true , false , null ] ")), "[true,false,null]")

-- arrays and objects ------------------------------------------------------------
eq("[] round trip", enc(dec("[]")), "[]")
eq("{} round trip", enc(dec("{}")), "{}")
eq("nested empties round trip", enc(dec("[[],[[]],{},[{}],{\"a\":[]}]")), '[[],[[]],{},[{}],{"a":[]}]')
eq("empty table encodes as object", enc({}), "{}")
eq("json.array() encodes as array", enc(json.array()), "[]")
check("decoded [] is an array", json.is_array(dec("[]")))
check("decoded {} is not an array", not json.is_array(dec("{}")))
eq("#[]", #dec("[]"), 0)
eq("array metatable is protected", getmetatable(dec("[]")), "json.array")
check("array metatable cannot be replaced", not pcall(setmetatable, dec("[]"), {}))
do
    local t = { 1, 2 }
    check("json.array(t) returns t", json.array(t) == t)
    check("json.array(t) marks t", json.is_array(t))
    eq("json.array({}) encodes", enc(json.array({})), "[]")
    fails("json.array on a table with another metatable", "already has a metatable",
        json.array, setmetatable({}, {}))
    eq("json.array of several tables", enc(json.array({}, {})), "[{},{}]")
end
check("is_array sequence", json.is_array({ 1, 2, 3 }))
check("is_array empty table", not json.is_array({}))
check("is_array with hole", not json.is_array({ 1, nil, 3 }))
check("is_array mixed", not json.is_array({ 1, 2, x = 3 }))
check("is_array non-table", not json.is_array("[]"))
eq("sequence encodes as array", enc({ 1, "two", true }), '[1,"two",true]')
eq("sparse table encodes as object", enc({ [1] = 1, [3] = 3 }, sorted), '{"1":1,"3":3}')
eq("hole in constructor", enc({ 1, nil, 3 }, sorted), '{"1":1,"3":3}')
eq("mixed table encodes as object", enc({ 1, 2, x = 3 }, sorted), '{"1":1,"2":2,"x":3}')
eq("zero key", enc({ [0] = "a", "b" }, sorted), '{"0":"a","1":"b"}')
eq("integer keys become strings", enc({ [10] = 1, [-5] = 2 }, sorted), '{"-5":2,"10":1}')
eq("integer key unsorted", enc({ [7] = true }), '{"7":true}')
do
    local a = json.array()
    a[3] = "x"
    eq("marked sparse array fills holes with null", enc(a), '[null,null,"x"]')
    a.name = "oops"
    fails("marked array with a string key", "json.encode: json.array table has a key that is not a positive integer at $", enc, a)
end
fails("float key", "json.encode: cannot use a non-integer number as an object key at $.t", enc, { t = { [1.5] = 1 } })
fails("boolean key", "json.encode: cannot use a boolean as an object key at $", enc, { [true] = 1 })
fails("table key", "json.encode: cannot use a table as an object key at $", enc, { [{}] = 1 }, sorted)
local function noop() end
fails("function value", "json.encode: cannot encode a function at $.f", enc, { f = noop })
if coroutine then
    fails("thread value", "json.encode: cannot encode a thread at $[1]", enc, { coroutine.create(noop) })
end
do
    local o = dec('{"a":1,"a":2}')
    eq("duplicate key: last wins", o.a, 2)
end

-- paths and cycles ---------------------------------------------------------------
fails("path with indices", "json.encode: cannot encode NaN at $.orders[3].total", enc,
    { orders = { { total = 1 }, { total = 2 }, { total = 0 / 0 } } })
fails("path with quoted keys", 'json.encode: cannot encode inf at $["a b"]["x\\"y"]', enc,
    { ["a b"] = { ['x"y'] = math.huge } })
fails("path with integer key", "json.encode: cannot encode a function at $[5][1]", enc,
    { [5] = { noop }, x = 1 })
fails("path under sort_keys", "json.encode: cannot encode NaN at $.b[2]", enc,
    { a = 1, b = { 1, 0 / 0 } }, sorted)
do
    local a = { b = { c = {} } }
    a.b.c.d = a
    fails("cycle", "json.encode: cycle at $.b.c.d", enc, a)
    fails("cycle sorted", "json.encode: cycle at $.b.c.d", enc, a, sorted)
    local t = json.array()
    t[1] = t
    fails("self-cycle in array", "json.encode: cycle at $[1]", enc, t)
    local shared = { 1 }
    eq("shared table is not a cycle", enc({ shared, shared, { shared } }), "[[1],[1],[[1]]]")
end

-- strings -----------------------------------------------------------------------
do
    local s = dec('"a\\u0000b"')
    eq("\\u0000 keeps an embedded NUL", s, "a\0b")
    eq("embedded NUL length", #s, 3)
    eq("embedded NUL encodes", enc("a\0b"), '"a\\u0000b"')
    eq("embedded NUL in key", next(dec('{"k\\u0000":1}')), "k\0")
end
eq("surrogate pair", dec('"\\ud83d\\ude00"'), "\u{1F600}")
eq("surrogate pair upper case", dec('"\\uD83D\\uDE00x"'), "\u{1F600}x")
eq("BMP escapes", dec('"\\u00e9\\u20AC\\u0041"'), "é€A")
eq("raw UTF-8 passes through", dec('"é€😀"'), "é€😀")
eq("non-ASCII encodes raw", enc("é€😀\u{10FFFF}"), '"é€😀\u{10FFFF}"')
eq("simple escapes decode", dec('"\\"\\\\\\/\\b\\f\\n\\r\\t"'), "\"\\/\b\f\n\r\t")
eq("escapes encode", enc("\"\\/\b\f\n\r\t"), '"\\"\\\\/\\b\\f\\n\\r\\t"')
eq("control characters encode", enc("\1\31\127"), '"\\u0001\\u001f\127"')
eq("escape between runs", dec('"ab\\ncd\\u00e9ef"'), "ab\ncdéef")
eq("long string with escape", dec('"' .. string.rep("x", 5000) .. '\\n"'), string.rep("x", 5000) .. "\n")
fails("lone high surrogate", "json.decode: lone surrogate at byte 1", dec, '"\\ud83d"')
fails("lone low surrogate", "json.decode: lone surrogate at byte 2", dec, '"x\\ude00"')
fails("high surrogate then text", "json.decode: lone surrogate at byte 1", dec, '"\\ud83dabcdef"')
fails("high surrogate then non-surrogate", "json.decode: lone surrogate at byte 1", dec, '"\\ud83d\\u0041"')
fails("two high surrogates", "json.decode: lone surrogate at byte 1", dec, '"\\ud83d\\ud83d"')
fails("raw newline in string", "json.decode: control character in string at byte 2", dec, '"a\nb"')
fails("raw tab in string", "json.decode: control character in string at byte 1", dec, '"\tb"')
fails("raw NUL in string", "json.decode: control character in string at byte 1", dec, '"\0"')
fails("invalid escape", "json.decode: invalid escape at byte 1", dec, '"\\x"')
fails("bad hex", "json.decode: invalid \\u escape at byte 1", dec, '"\\u12G4"')
fails("short hex at end", "json.decode: invalid \\u escape at byte 1", dec, '"\\u1"')
fails("unterminated string", "json.decode: unexpected end of input at byte 4 (expected '\"')", dec, '"abc')
fails("unterminated escape", "json.decode: unexpected end of input at byte 2", dec, '"\\')
for _, bad in ipairs({
    { "\xff", 1 }, { "\xc0\xaf", 1 }, { "\xed\xa0\x80", 1 }, { "\xe2\x82", 1 },
    { "\xf4\x90\x80\x80", 1 }, { "ab\x80", 3 }, { "\xe0\x80\x80", 1 }, { "\xf8\x88\x80\x80\x80", 1 },
}) do
    fails("invalid UTF-8 decode " .. show(bad[1]), "json.decode: invalid UTF-8 at byte " .. bad[2],
        dec, '"' .. bad[1] .. '"')
end
fails("invalid UTF-8 encode", "json.encode: invalid UTF-8 at byte 2 of the string at $", enc, "ab\xff")
fails("invalid UTF-8 encode nested", "json.encode: invalid UTF-8 at byte 0 of the string at $.k[2]",
    enc, { k = { "ok", "\xc3" } })
fails("encoded surrogate encode", "json.encode: invalid UTF-8 at byte 0 of the string at $", enc, "\xed\xb0\x80")
fails("invalid UTF-8 key", "json.encode: invalid UTF-8 at byte 1 of the key at $.o", enc, { o = { ["a\xff"] = 1 } })

-- syntax errors and offsets -------------------------------------------------------
fails("empty input", "json.decode: unexpected end of input at byte 0 (expected value)", dec, "")
fails("only whitespace", "json.decode: unexpected end of input at byte 3 (expected value)", dec, " \n\t")
fails("trailing comma in array", "json.decode: expected value at byte 5", dec, "[1,2,]")
fails("trailing comma in object", "json.decode: expected string key at byte 8", dec, '{"a":1, }')
fails("missing colon", "json.decode: expected ':' at byte 5", dec, '{"a" 1}')
fails("missing comma in object", "json.decode: expected ',' or '}' at byte 7", dec, '{"a":1 "b":2}')
fails("missing comma in array", "json.decode: expected ',' or ']' at byte 3", dec, "[1 2]")
fails("unclosed array", "json.decode: unexpected end of input at byte 4 (expected ',' or ']')", dec, "[1,2")
fails("unclosed object", "json.decode: unexpected end of input at byte 5 (expected value)", dec, '{"a":')
fails("non-string key", "json.decode: expected string key at byte 1", dec, "{1:2}")
fails("trailing garbage", "json.decode: trailing garbage at byte 4", dec, "[1] x")
fails("extra bracket", "json.decode: trailing garbage at byte 5", dec, "[1,2]]")
fails("two values", "json.decode: trailing garbage at byte 2", dec, "1 2")
fails("leading zero", "json.decode: leading zero in number at byte 1", dec, "01")
fails("negative leading zero", "json.decode: leading zero in number at byte 2", dec, "-012")
fails("dot without digits", "json.decode: unexpected end of input at byte 2 (expected digit after '.')", dec, "1.")
fails("dot then letter", "json.decode: expected digit after '.' at byte 2", dec, "1.x")
fails("exponent without digits", "json.decode: unexpected end of input at byte 2 (expected digit in exponent)", dec, "1e")
fails("lone minus", "json.decode: unexpected end of input at byte 1 (expected digit)", dec, "-")
fails("plus sign", "json.decode: expected value at byte 0", dec, "+1")
fails("leading dot", "json.decode: expected value at byte 0", dec, ".5")
fails("hex number", "json.decode: trailing garbage at byte 1", dec, "0x10")
fails("NaN literal", "json.decode: expected value at byte 0", dec, "NaN")
fails("Infinity literal", "json.decode: expected digit at byte 1", dec, "-Infinity")
fails("truncated literal", "json.decode: unexpected end of input at byte 3 (expected true)", dec, "tru")
fails("misspelled literal", "json.decode: expected value at byte 1", dec, "[nul]")
fails("literal with suffix", "json.decode: trailing garbage at byte 4", dec, "truex")
fails("single quotes", "json.decode: expected value at byte 0", dec, "'a'")
fails("byte order mark", "json.decode: expected value at byte 0", dec, "\xEF\xBB\xBF[]")
fails("comment", "json.decode: expected value at byte 1", dec, "[/*x*/1]")
fails("decode of a non-string", "string expected", dec, 123)
eq("surrounding whitespace", dec(" \t\r\n[1] \n\t")[1], 1)
eq("whitespace everywhere", enc(dec(' { "a" : [ 1 , 2 ] , "b" : { } } '), sorted), '{"a":[1,2],"b":{}}')
eq("scalar top level", dec('"x"'), "x")

-- depth ---------------------------------------------------------------------------
do
    local deep = string.rep("[", 1000) .. string.rep("]", 1000)
    local v = dec(deep)
    eq("depth 1000 decodes and encodes", enc(v), deep)
    fails("depth 1001 decode", "json.decode: nesting deeper than 1000 at byte 1000", dec,
        string.rep("[", 1001) .. string.rep("]", 1001))
    local objs = string.rep('{"a":', 1000) .. "1" .. string.rep("}", 1000)
    eq("object depth 1000", enc(dec(objs)), objs)
    fails("object depth 1001", "json.decode: nesting deeper than 1000 at byte 5000", dec,
        string.rep('{"a":', 1001) .. "1" .. string.rep("}", 1001))
    local t = {}
    local inner = t
    for _ = 2, 1000 do
        inner[1] = {}
        inner = inner[1]
    end
    eq("encode depth 1000", #enc(t), 2000)
    inner[1] = {}
    fails("encode depth 1001", "json.encode: nesting deeper than 1000 at $[1]", enc, t)
    -- level d of the 999 outer arrays adds "[", "]", two newlines and d + d - 1 spaces
    eq("encode depth 1000 with indent", #enc(v, { indent = 1 }), 2 + 999 * 3 + 999 * 1000)
end

-- sort_keys and indent --------------------------------------------------------------
do
    local v = { b = 1, a = { d = {}, c = json.array() }, c = { 1, 2, { z = 1.5, y = "s" } } }
    eq("sort_keys", enc(v, sorted), '{"a":{"c":[],"d":{}},"b":1,"c":[1,2,{"y":"s","z":1.5}]}')
    eq("indent 2", enc(v, { sort_keys = true, indent = 2 }), [[
{
  "a": {
    "c": [],
    "d": {}
  },
  "b": 1,
  "c": [
    1,
    2,
    {
      "y": "s",
      "z": 1.5
    }
  ]
}]])
    eq("indent 4, nested arrays", enc(json.array(json.array(1), json.array(), { k = json.null }), { indent = 4 }), [==[
[
    [
        1
    ],
    [],
    {
        "k": null
    }
]]==])
    eq("indent 0 is compact", enc({ 1, { a = 2 } }, { indent = 0 }), '[1,{"a":2}]')
    eq("indent on a scalar", enc("x", { indent = 2 }), '"x"')
    eq("bytewise key order", enc({ b = 1, B = 2, a = 3, _ = 4, ["é"] = 5, aa = 6, [""] = 7 }, sorted),
        '{"":7,"B":2,"_":4,"a":3,"aa":6,"b":1,"é":5}')
    eq("integer keys sort as strings", enc({ [9] = 1, [10] = 2, [100] = 3, x = 4 }, sorted),
        '{"10":2,"100":3,"9":1,"x":4}')
    eq("sorted empty object", enc({}, sorted), "{}")
    eq("escaped keys", enc({ ['a"b'] = 1, ["\n"] = 2 }, sorted), '{"\\n":2,"a\\"b":1}')
    fails("bad indent", "indent must be an integer from 0 to 16", enc, {}, { indent = -1 })
    fails("bad indent type", "indent must be an integer from 0 to 16", enc, {}, { indent = "x" })
    fails("bad sort_keys", "sort_keys must be a boolean", enc, {}, { sort_keys = 1 })
    fails("bad opts", "table expected", enc, {}, 5)
end

-- numbers against the C library ---------------------------------------------------------
-- The codec has fast paths for short decimals; tonumber (strtod) and a %.14g..%.17g search
-- (string.format) are the references. Deterministic: a fixed seed.
eq("1e400 decodes as inf", dec("1e400"), math.huge)
eq("-1e400 decodes as -inf", dec("-1e400"), -math.huge)
check("1e-400 decodes as 0.0", same_float(0.0, dec("1e-400")))
eq("long mantissa", dec("0.1000000000000000055511151231257827021181583404541015625"), 0.1)
eq("many leading zeros", dec("0.000000000000000000000000000001"), 1e-30)
do
    math.randomseed(20240517)
    local bad_decode, bad_encode
    for _ = 1, 3000 do
        local s = (math.random() < 0.3 and "-" or "") .. math.random(0, 10 ^ math.random(1, 9))
            .. "." .. string.format("%0" .. math.random(1, 9) .. "d", math.random(0, 999999999) % 10 ^ 9)
            .. (math.random() < 0.5 and ("e" .. math.random(-30, 30)) or "")
        local got, want = dec(s), tonumber(s)
        if not same_float(want, got) and bad_decode == nil then bad_decode = s .. " -> " .. show(got) end
        local x = math.random() < 0.5 and math.random(-10 ^ 9, 10 ^ 9) / 10.0 ^ math.random(0, 12)
            or string.unpack("<d", string.pack("<i8", math.random(math.mininteger, math.maxinteger)))
        if x == x and x ~= math.huge and x ~= -math.huge then
            local ref
            for p = 14, 17 do
                ref = string.format("%." .. p .. "g", x)
                if tonumber(ref) == x then break end
            end
            if not ref:find("[.e]") then ref = ref .. ".0" end
            local out = enc(x)
            if (out ~= ref or not same_float(x, dec(out))) and bad_encode == nil then
                bad_encode = string.format("%a", x) .. " -> " .. out .. ", want " .. ref
            end
        end
    end
    check("3000 decimals decode like strtod", bad_decode == nil, bad_decode)
    check("3000 doubles encode like the %.14g..%.17g search", bad_encode == nil, bad_encode)
end

-- a big document ------------------------------------------------------------------
local function deep_equal(a, b, path)
    if type(a) ~= type(b) or math.type(a) ~= math.type(b) then
        return false, path .. ": " .. show(a) .. " vs " .. show(b)
    end
    if type(a) ~= "table" then
        if a == b or (a ~= a and b ~= b) then return true end
        return false, path .. ": " .. show(a) .. " vs " .. show(b)
    end
    if json.is_array(a) ~= json.is_array(b) then return false, path .. ": array vs object" end
    for k, v in pairs(a) do
        local ok, why = deep_equal(v, b[k], path .. "." .. tostring(k))
        if not ok then return false, why end
    end
    for k in pairs(b) do
        if a[k] == nil then return false, path .. "." .. tostring(k) .. " missing" end
    end
    return true
end

do
    local orders = json.array()
    for i = 1, 10000 do
        local lines = json.array()
        for j = 1, (i % 4) + 1 do
            lines[j] = { sku = "SKU-" .. (i * 7 + j), qty = j, price = (i % 97) + j / 8, tags = json.array() }
        end
        orders[i] = {
            id = i,
            number = string.format("ORD-%08d", i),
            customer = { name = "Customer " .. i, email = "c" .. i .. "@example.com", vip = i % 5 == 0 },
            total = i * 1.25 + 0.1,
            cents = i * 125,
            currency = "EUR",
            note = i % 3 == 0 and "line one\nline \"two\" é" or json.null,
            lines = lines,
            meta = {},
            big = math.maxinteger - i,
        }
    end
    local doc = { page = 1, orders = orders, next = json.null }
    local s = enc(doc)
    local back = dec(s)
    local ok, why = deep_equal(doc, back, "$")
    check("10000 orders round trip", ok, why)
    eq("10000 orders re-encode identically (sorted)", enc(back, sorted), enc(doc, sorted))
    eq("10000 orders count", #back.orders, 10000)
    eq("integer field stays integer", math.type(back.orders[9999].cents), "integer")
    eq("float field stays float", back.orders[10000].total, 10000 * 1.25 + 0.1)
    local pretty = enc(doc, { indent = 2, sort_keys = true })
    local ok2, why2 = deep_equal(doc, dec(pretty), "$")
    check("10000 orders round trip pretty", ok2, why2)
end

if #failures > 0 then
    error(#failures .. " of " .. checks .. " json checks failed:\n  " .. table.concat(failures, "\n  "), 0)
end
return checks
