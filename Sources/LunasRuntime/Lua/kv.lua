-- The Lua side of `kv` (chunk `=lunas.kv`): values cross as JSON text through the C codec; each
-- function raises its errors at the script's line (level 2). Host functions answer `err, results...`.
local raw, encode, decode = rawget(_G, "__kv"), json.encode, json.decode
__kv = nil
local pcall, error, type, tostring, setmetatable = pcall, error, type, tostring, setmetatable

local function enc(name, value)
  if value == nil then error(name .. ": value cannot be nil (use kv.delete, or json.null to store null)", 3) end
  local ok, text = pcall(encode, value)
  if not ok then error(name .. ": value cannot be stored as JSON: " .. tostring(text), 3) end
  return text
end

-- Every lock shares the metatable, so a script must not reach it (nor the methods table through
-- `lock.__index`): getmetatable(lock) is "kv.lock".
local lock_methods = {}
local lock_mt = { __index = lock_methods, __metatable = "kv.lock" }
function lock_methods:release()
  local err, held = raw.unlock(self._h, self)
  if err then error("lock:release: " .. err, 2) end
  return held
end
function lock_methods:refresh(opts)
  local err, expires = raw.refresh(self._h, self, opts)
  if err then error("lock:refresh: " .. err, 2) end
  if expires then self.expires = expires return true end
  return false
end

local function space(h)
  local kv = {}
  function kv.get(key)
    local err, text, version = raw.get(h, key)
    if err then error("kv.get: " .. err, 2) end
    if text == nil then return nil end
    return decode(text), version
  end
  function kv.set(key, value, opts)
    local err, version = raw.set(h, key, enc("kv.set", value), opts)
    if err then error("kv.set: " .. err, 2) end
    return version
  end
  function kv.add(key, value, opts)
    local err, version = raw.add(h, key, enc("kv.add", value), opts)
    if err then error("kv.add: " .. err, 2) end
    return version ~= nil, version
  end
  function kv.replace(key, value, opts)
    local err, version = raw.replace(h, key, enc("kv.replace", value), opts)
    if err then error("kv.replace: " .. err, 2) end
    return version ~= nil, version
  end
  function kv.delete(key, opts)
    local err, existed = raw.delete(h, key, opts)
    if err then error("kv.delete: " .. err, 2) end
    return existed
  end
  function kv.incr(key, by, opts)
    local err, n = raw.incr(h, key, by, opts)
    if err then error("kv.incr: " .. err, 2) end
    return n
  end
  function kv.cas(key, version, value, opts)
    local err, new = raw.cas(h, key, version, enc("kv.cas", value), opts)
    if err then error("kv.cas: " .. err, 2) end
    return new ~= nil, new
  end
  function kv.keys(prefix, opts)
    local err, keys, cursor = raw.keys(h, prefix, opts)
    if err then error("kv.keys: " .. err, 2) end
    return keys, cursor
  end
  function kv.ttl(key)
    local err, seconds = raw.ttl(h, key)
    if err then error("kv.ttl: " .. err, 2) end
    return seconds
  end
  function kv.lock(name, opts)
    local err, token, expires = raw.lock(h, name, opts)
    if err then error("kv.lock: " .. err, 2) end
    if token == nil then return nil end
    return setmetatable({ name = name, token = token, expires = expires, _h = h }, lock_mt)
  end
  return kv
end

kv = space(0)
function kv.shared(name)
  local err, h = raw.shared(name)
  if err then error("kv.shared: " .. err, 2) end
  return space(h)
end
