-- lunas.time: the API's ISO 8601 stamps, durations and calendar steps in IANA zones.
-- Instants are seconds since 1970 UTC (os.time's); a float carries a fraction of a second.
-- See docs/stdlib.md.

local math_type, floor, tointeger, tonumber, tostring, type, error, pcall, format, rawget =
  math.type, math.floor, math.tointeger, tonumber, tostring, type, error, pcall, string.format, rawget

local host = rawget(_G, "__time")

local time = { zone = host and host.zone or "UTC" }

local DAY = 86400

-- Days since 1970-01-01 of a proleptic Gregorian date, and back (Howard Hinnant's algorithms).
local function days_from_civil(y, m, d)
  if m <= 2 then y = y - 1 end
  local era = y // 400
  local yoe = y - era * 400
  local doy = (153 * ((m + 9) % 12) + 2) // 5 + d - 1
  return era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468
end

local function civil_from_days(z)
  z = z + 719468
  local era = z // 146097
  local doe = z - era * 146097
  local yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
  local doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
  local mp = (5 * doy + 2) // 153
  local d = doy - (153 * mp + 2) // 5 + 1
  local m = mp < 10 and mp + 3 or mp - 9
  return yoe + era * 400 + (m <= 2 and 1 or 0), m, d
end

local function days_in_month(y, m)
  if m == 2 then return (y % 4 == 0 and (y % 100 ~= 0 or y % 400 == 0)) and 29 or 28 end
  return (m == 4 or m == 6 or m == 9 or m == 11) and 30 or 31
end

local function check_zone(zone, fname, level)
  if zone == nil then return time.zone end
  if type(zone) ~= "string" then error(("%s: the zone must be an IANA name like \"Asia/Jakarta\", got %s"):format(fname, type(zone)), level + 1) end
  return zone
end

-- Seconds east of UTC of zone at the instant t.
local function offset(zone, t, fname, level)
  if zone == "UTC" then return 0 end
  if not host then error(fname .. ": time zones other than UTC need the Lunas host", level + 1) end
  local ok, result = pcall(host.offset, zone, t)
  if not ok then error(("%s: unknown time zone %q: use an IANA name like Asia/Jakarta, Europe/Berlin or UTC"):format(fname, zone), level + 1) end
  return result
end

-- The instant whose wall clock in zone reads local (seconds since 1970 as if it were UTC). A
-- wall time skipped by a daylight-saving change lands after the change.
local function from_local(lt, zone, fname, level)
  local t = lt - offset(zone, lt, fname, level + 1)
  return lt - offset(zone, t, fname, level + 1)
end

local function instant(t, fname, level)
  if math_type(t) == nil then error(("%s: expected an instant (seconds since 1970), got %s"):format(fname, type(t)), level + 1) end
  return t
end

-- Whole seconds and the fraction of a second that is left.
local function split(t)
  local s = floor(t)
  return tointeger(s), t - s
end

function time.now() return os.time() end

-- "2026-11-23T00:38:42Z", "2026-11-23T07:38:42.250+07:00", "2026-11-23 07:38:42" (in zone),
-- "2026-11-23" (the start of that day in zone).
function time.parse(s, zone)
  if type(s) ~= "string" then error(("time.parse: expected a string, got %s"):format(type(s)), 2) end
  zone = check_zone(zone, "time.parse", 2)
  local bad = function(why) error(("time.parse: %q is not an ISO 8601 time%s"):format(s, why or " like \"2026-11-23T00:38:42Z\""), 3) end
  local y, mo, d, rest = s:match("^(%d%d%d%d)-(%d%d)-(%d%d)(.*)$")
  if not y then bad() end
  y, mo, d = tonumber(y), tonumber(mo), tonumber(d)
  if mo < 1 or mo > 12 or d < 1 or d > days_in_month(y, mo) then bad(": no such date") end
  local h, mi, sec, frac, tz = 0, 0, 0, "", nil
  if rest ~= "" then
    h, mi, sec, frac, tz = rest:match("^[Tt ](%d%d):(%d%d):(%d%d)(%.?%d*)(.*)$")
    if not h then bad() end
    h, mi, sec = tonumber(h), tonumber(mi), tonumber(sec)
    if h > 23 or mi > 59 or sec > 59 then bad(": no such time of day") end
    if frac == "." then bad() end
  end
  local lt = days_from_civil(y, mo, d) * DAY + h * 3600 + mi * 60 + sec
  local t
  if tz == nil or tz == "" then
    t = from_local(lt, zone, "time.parse", 2)
  elseif tz == "Z" or tz == "z" then
    t = lt
  else
    local sign, oh, om = tz:match("^([+-])(%d%d):?(%d%d)$")
    if not sign or tonumber(oh) > 23 or tonumber(om) > 59 then bad(": bad offset") end
    local east = tonumber(oh) * 3600 + tonumber(om) * 60
    t = lt - (sign == "-" and -east or east)
  end
  if frac ~= "" and frac:find("[1-9]") then return t + tonumber("0" .. frac) end
  return t
end

-- The wall clock of t in zone: year, month, day, hour, min, sec, weekday (1 = Monday), offset.
local function civil(t, zone, fname, level)
  local s, frac = split(instant(t, fname, level + 1))
  local east = offset(zone, s, fname, level + 1)
  local lt = s + east
  local days = lt // DAY
  local y, m, d = civil_from_days(days)
  local secs = lt - days * DAY
  return { year = y, month = m, day = d, hour = secs // 3600, min = secs // 60 % 60, sec = secs % 60,
           weekday = (days + 3) % 7 + 1, offset = east, zone = zone }, frac
end

function time.date(t, zone)
  local fields = civil(t, check_zone(zone, "time.date", 2), "time.date", 2)
  return fields
end

-- UTC with Z by default (the API's form); in a zone, its wall clock and offset. A fraction of a
-- second is written to the millisecond.
function time.format(t, zone)
  instant(t, "time.format", 2)
  zone = zone and check_zone(zone, "time.format", 2) or "UTC"
  local s, frac = split(t)
  local ms = floor(frac * 1000 + 0.5)
  if ms == 1000 then s, ms = s + 1, 0 end
  local c = civil(s, zone, "time.format", 2)
  local text = format("%04d-%02d-%02dT%02d:%02d:%02d", c.year, c.month, c.day, c.hour, c.min, c.sec)
  if ms > 0 then text = text .. format(".%03d", ms) end
  if c.offset == 0 then return text .. "Z" end
  local east = c.offset < 0 and -c.offset or c.offset
  return text .. format("%s%02d:%02d", c.offset < 0 and "-" or "+", east // 3600, east // 60 % 60)
end

local UNITS = { s = 1, m = 60, h = 3600, d = DAY, w = 7 * DAY }

-- "15m", "2h", "7d", "1h30m" -> seconds. A day is 86400 seconds, whatever the zone's clocks do.
function time.duration(s)
  if math_type(s) == "integer" then return s end
  if type(s) ~= "string" or s == "" then
    error(("time.duration: expected a duration like \"15m\", \"2h\" or \"7d\", got %s"):format(type(s) == "string" and '""' or type(s)), 2)
  end
  local total = 0
  local left = s:gsub("(%d+)([smhdw])", function(n, unit)
    total = total + tonumber(n) * UNITS[unit]
    return ""
  end)
  if left ~= "" then
    error(("time.duration: %q is not a duration like \"15m\", \"2h\" or \"7d\" (units s m h d w)"):format(s), 2)
  end
  return total
end

local function monday(days) return days - (days + 3) % 7 end

-- The first instant of t's day, week (from Monday) or month on the wall clock of zone.
function time.start_of(t, unit, zone)
  zone = check_zone(zone, "time.start_of", 2)
  local c = civil(t, zone, "time.start_of", 2)
  local days = days_from_civil(c.year, c.month, c.day)
  if unit == "week" then
    days = monday(days)
  elseif unit == "month" then
    days = days_from_civil(c.year, c.month, 1)
  elseif unit ~= "day" then
    error(("time.start_of: the unit must be \"day\", \"week\" or \"month\", got %s"):format(type(unit) == "string" and format("%q", unit) or type(unit)), 2)
  end
  return from_local(days * DAY, zone, "time.start_of", 2)
end

-- t moved by n calendar months on the wall clock of zone, keeping its time of day; a day past
-- the end of the new month becomes its last day (Jan 31 + 1 month = Feb 28, or 29).
function time.add_months(t, n, zone)
  if math_type(n) ~= "integer" then error(("time.add_months: the months must be an integer, got %s"):format(tostring(n)), 2) end
  zone = check_zone(zone, "time.add_months", 2)
  local c, frac = civil(t, zone, "time.add_months", 2)
  local index = c.year * 12 + (c.month - 1) + n
  local y, m = index // 12, index % 12 + 1
  local d = c.day < days_in_month(y, m) and c.day or days_in_month(y, m)
  local lt = days_from_civil(y, m, d) * DAY + c.hour * 3600 + c.min * 60 + c.sec
  local moved = from_local(lt, zone, "time.add_months", 2)
  return frac ~= 0 and moved + frac or moved
end

return time
