-- The Lua side of `http` (chunk `=lunas.http`, which error positions skip): options checked, a
-- `json` body encoded, a JSON answer decoded. The host checks the URL, its addresses and every
-- redirect against [http] allow, sends, and raises its errors at the script's line.
local raw, encode, decode = rawget(_G, "__http"), json.encode, json.decode
__http = nil
local type, pairs, pcall, tostring, error, find, lower = type, pairs, pcall, tostring, error, string.find, string.lower

local known = { json = true, body = true, headers = true, timeout = true }

local function request(fname, method, url, opts)
  if type(url) ~= "string" then error(fname .. ": url must be a string, got " .. type(url), 3) end
  if opts == nil then opts = {} end
  if type(opts) ~= "table" then error(fname .. ": options must be a table, got " .. type(opts), 3) end
  for key in pairs(opts) do
    if not known[key] then error(fname .. ": unknown option '" .. tostring(key) .. "' (json, body, headers, timeout)", 3) end
  end
  local body, content_type = opts.body, nil
  if opts.json ~= nil then
    if body ~= nil then error(fname .. ": give json or body, not both", 3) end
    local ok, text = pcall(encode, opts.json)
    if not ok then error(fname .. ": json: " .. tostring(text), 3) end
    body, content_type = text, "application/json"
  elseif body ~= nil and type(body) ~= "string" then
    error(fname .. ": body must be a string, got " .. type(body), 3)
  end
  if method == "GET" and body ~= nil then error(fname .. ": a GET sends no body; use http.post", 3) end
  local headers = opts.headers
  if headers ~= nil and type(headers) ~= "table" then error(fname .. ": headers must be a table of names and values, got " .. type(headers), 3) end
  local status, answer_headers, answer = raw.request(method, url, body, headers, opts.timeout, content_type)
  local response = { status = status, headers = answer_headers, body = answer }
  local ctype = answer_headers["content-type"]
  if ctype then
    ctype = lower(ctype)
    if find(ctype, "application/json", 1, true) or find(ctype, "+json", 1, true) then
      local ok, value = pcall(decode, answer)
      if ok then response.json = value end
    end
  end
  return response
end

-- not tail calls: `request` raises at level 3, the script's line
http = {
  get = function(url, opts) local response = request("http.get", "GET", url, opts) return response end,
  post = function(url, opts) local response = request("http.post", "POST", url, opts) return response end,
}
