-- The script's `config` (chunk `=lunas.config`): its [scripts.NAME.config] table, read-only at
-- every level. Each table is a proxy: reads, `#`, `pairs`, `ipairs` and `json.encode` see the
-- settings; an assignment raises at the script's line.
local settings = rawget(_G, "__config") or {}
__config = nil
local next, type, error, rawset, setmetatable = next, type, error, rawset, setmetatable

local function refuse() error("config is read-only: set it in lunas.toml under [scripts.NAME.config]", 2) end

local function freeze(t)
  for key, value in next, t do
    if type(value) == "table" then rawset(t, key, freeze(value)) end
  end
  return setmetatable({}, {
    __index = t,
    __newindex = refuse,
    __len = function() return #t end,
    __pairs = function() return next, t, nil end,
    __json = function() return t end,
    __metatable = "config",
  })
end

config = freeze(settings)
