-- lunas.validate: Indonesian mobile numbers normalised to E.164 (+628...) and email addresses
-- checked and normalised; an invalid one gives nil and the reason. See docs/stdlib.md.

local type, error, tostring, rawget, math_type, format = type, error, tostring, rawget, math.type, string.format

local validate = {}

local function missing(v)
  local json = rawget(_G, "json")
  return v == nil or (type(json) == "table" and v == rawget(json, "null"))
end

-- The text of v with its surrounding spaces (and no-break spaces) removed, or nil when there is none.
local function text(v, fname)
  if missing(v) then return nil end
  if math_type(v) == "integer" then v = tostring(v) end
  if type(v) ~= "string" then error(("%s: expected a string, got %s"):format(fname, type(v)), 3) end
  v = v:gsub("\194\160", " "):match("^%s*(.-)%s*$")
  return v ~= "" and v or nil
end

-- National significant numbers of Indonesian mobiles: 8, then 8 to 11 digits (0812-345-678 to
-- 0812-3456-78901).
local SHORTEST, LONGEST = 9, 12

function validate.phone(v)
  local s = text(v, "validate.phone")
  if not s then return nil, "no phone number" end
  local shown = format("%q", s)
  if s:find("[^%d%s%+%-%.%(%)]") then
    return nil, shown .. " has characters other than digits, spaces and + - . ( )"
  end
  local compact = s:gsub("[%s%-%.%(%)]", "")
  if not compact:find("^%+?%d+$") then return nil, shown .. " has a + that is not at its start" end
  local nsn
  if compact:find("^%+") then
    if not compact:find("^%+62") then return nil, shown .. " is not an Indonesian number (its country code is not +62)" end
    nsn = compact:sub(4)
  elseif compact:find("^0062") then
    nsn = compact:sub(5)
  elseif compact:find("^62") then
    nsn = compact:sub(3)
  elseif compact:find("^0") then
    nsn = compact:sub(2)
  else
    nsn = compact
  end
  nsn = nsn:gsub("^0", "", 1) -- "+62 0812...": the national 0 written after the country code
  if not nsn:find("^8[1-9]") then
    return nil, shown .. " is not a mobile number: Indonesian mobile numbers start with 08 (+628)"
  end
  if #nsn < SHORTEST or #nsn > LONGEST then
    return nil, ("%s is too %s: %d digits after 0 (or +62); a mobile number has %d to %d"):format(
      shown, #nsn < SHORTEST and "short" or "long", #nsn, SHORTEST, LONGEST)
  end
  return "+62" .. nsn
end

local LOCAL_CHARS = "[^%w!#$%%&'*+/=?^_`{|}~.%-]"

local function domain_problem(domain)
  if #domain > 253 then return "has a domain longer than 253 characters" end
  if not domain:find("%.") then return ("has no dot in its domain %q (e.g. gmail.com)"):format(domain) end
  for label in (domain .. "."):gmatch("(.-)%.") do
    if label == "" then return ("has an empty part in its domain %q (two dots in a row, or one at an end)"):format(domain) end
    if #label > 63 then return "has a part of its domain longer than 63 characters" end
    if label:find("[^%w%-]") then return ("has a character other than letters, digits, - and . in its domain %q"):format(domain) end
    if label:find("^%-") or label:find("%-$") then return ("has a part of its domain %q that starts or ends with -"):format(domain) end
  end
  local top = domain:match("([^.]*)$")
  if not top:find("^%a%a+$") and not top:find("^xn%-%-%w") then
    return ("has %q as its last part, not a top-level domain like com or id"):format(top)
  end
end

-- The address with its domain in lowercase (the part before the @ keeps its case, as mail
-- servers may tell it apart), or nil and the reason.
function validate.email(v)
  local s = text(v, "validate.email")
  if not s then return nil, "no email address" end
  local shown = format("%q", s)
  if s:find("%s") then return nil, shown .. " has a space in it" end
  if s:find("[%c\128-\255]") then
    return nil, shown .. " has characters other than ASCII (write an international domain in its xn-- form)"
  end
  local _, ats = s:gsub("@", "")
  if ats ~= 1 then return nil, shown .. (ats == 0 and " has no @" or " has more than one @") end
  local user, domain = s:match("^(.*)@(.*)$")
  if user == "" then return nil, shown .. " has nothing before the @" end
  if domain == "" then return nil, shown .. " has nothing after the @" end
  if #user > 64 then return nil, shown .. " has more than 64 characters before the @" end
  local c = user:match(LOCAL_CHARS)
  if c then return nil, ("%s has %q before the @, which addresses cannot have there"):format(shown, c) end
  if user:find("^%.") or user:find("%.$") or user:find("%.%.") then
    return nil, shown .. " has a dot at the start or end of the part before the @, or two dots in a row"
  end
  domain = domain:lower()
  local problem = domain_problem(domain)
  if problem then return nil, shown .. " " .. problem end
  if #user + 1 + #domain > 254 then return nil, shown .. " is longer than 254 characters" end
  return user .. "@" .. domain
end

return validate
