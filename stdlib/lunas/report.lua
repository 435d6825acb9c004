-- lunas.report: a list of rows as CSV (RFC 4180) or as aligned plain text. See docs/stdlib.md.

local type, error, pairs, ipairs, tostring, rawget, getmetatable, format, concat, sort, rep =
  type, error, pairs, ipairs, tostring, rawget, getmetatable, string.format, table.concat, table.sort, string.rep

local report = {}

local function show(x)
  if type(x) == "string" then return format("%q", x) end
  return type(x) == "number" and tostring(x) or "a " .. type(x)
end

local function json_null(v)
  local json = rawget(_G, "json")
  return type(json) == "table" and v ~= nil and v == rawget(json, "null")
end

-- { key =, title =, format = } of each column; the default: every key of the rows, sorted.
local function columns_of(rows, columns, fname)
  if type(rows) ~= "table" then error(("%s: expected a list of rows (tables), got %s"):format(fname, show(rows)), 3) end
  for i, row in ipairs(rows) do
    if type(row) ~= "table" then error(("%s: row %d is %s, not a table"):format(fname, i, show(row)), 3) end
  end
  if columns == nil then
    local seen, keys = {}, {}
    for _, row in ipairs(rows) do
      for k in pairs(row) do
        if type(k) == "string" and not seen[k] then seen[k], keys[#keys + 1] = true, k end
      end
    end
    sort(keys)
    columns = keys
  end
  if type(columns) ~= "table" then
    error(("%s: columns must be a list like { \"id\", \"total\" }, got %s"):format(fname, show(columns)), 3)
  end
  local list = {}
  for i, c in ipairs(columns) do
    if type(c) == "string" or math.type(c) == "integer" then c = { key = c } end
    if type(c) ~= "table" or c.key == nil then
      error(("%s: column %d must be a key (a string or an integer) or a table like { key = \"total\", title = \"Total\" }, got %s"):format(fname, i, show(c)), 3)
    end
    if c.format ~= nil and type(c.format) ~= "function" then
      error(("%s: column %d's format must be a function(value, row), got %s"):format(fname, i, show(c.format)), 3)
    end
    list[i] = { key = c.key, title = c.title ~= nil and tostring(c.title) or tostring(c.key), format = c.format }
  end
  return list
end

local function value(row, column)
  local v = row[column.key]
  if column.format then return column.format(v, row) end
  return v
end

-- A value as text: nil and json.null are empty; money (any value with __tostring) is tostring'd.
local function cell(fname, v, i, column)
  if v == nil or json_null(v) then return "" end
  local t = type(v)
  if t == "string" then return v end
  if t == "number" or t == "boolean" then return tostring(v) end
  if t == "table" then
    local s = tostring(v)
    if not s:find("^table: ") then return s end
  end
  error(("%s: row %d, column %s is %s; give it a string, a number or a money value (or a format function)"):format(
    fname, i, show(column.key), show(v)), 3)
end

local function numeric(v)
  return type(v) == "number" or (type(v) == "table" and getmetatable(v) == "lunas.money")
end

local function check_opts(opts, fname)
  if opts == nil then return {} end
  if type(opts) ~= "table" then error(("%s: the options must be a table, got %s"):format(fname, show(opts)), 3) end
  return opts
end

-- report.csv(rows [, columns [, opts]]): RFC 4180 text, a header line first, every record ended
-- by CRLF (opts.eol = "\n" for LF); a field with the separator, a quote, CR or LF is quoted.
function report.csv(rows, columns, opts)
  opts = check_opts(opts, "report.csv")
  local sep, eol = opts.sep or ",", opts.eol or "\r\n"
  if type(sep) ~= "string" or #sep ~= 1 or sep:find('["\r\n]') then
    error(("report.csv: sep must be one character other than a quote, CR or LF, got %s"):format(show(sep)), 2)
  end
  if eol ~= "\r\n" and eol ~= "\n" then error(("report.csv: eol must be \"\\r\\n\" or \"\\n\", got %s"):format(show(eol)), 2) end
  local cols = columns_of(rows, columns, "report.csv")
  local special = "[" .. sep:gsub("%p", "%%%0") .. "\"\r\n]"
  local function field(s)
    if s:find(special) then return '"' .. s:gsub('"', '""') .. '"' end
    return s
  end
  local lines = {}
  if opts.header ~= false then
    local header = {}
    for j, c in ipairs(cols) do header[j] = field(c.title) end
    lines[1] = concat(header, sep)
  end
  for i = 1, #rows do
    local record = {}
    for j, c in ipairs(cols) do record[j] = field(cell("report.csv", value(rows[i], c), i, c)) end
    lines[#lines + 1] = concat(record, sep)
  end
  if #lines == 0 then return "" end
  return concat(lines, eol) .. eol
end

-- The width of s on a terminal, counted in UTF-8 code points (bytes when s is not UTF-8).
local function width(s)
  return utf8.len(s) or #s
end

-- report.text(rows [, columns [, opts]]): a header, a line of dashes and the rows, in columns two
-- spaces apart; numbers and money right-aligned. Lines are joined by "\n", without a last one.
function report.text(rows, columns, opts)
  opts = check_opts(opts, "report.text")
  local cols = columns_of(rows, columns, "report.text")
  local header = opts.header ~= false
  local texts, widths, kinds = {}, {}, {}
  for j, c in ipairs(cols) do widths[j], kinds[j] = header and width(c.title) or 0, {} end
  for i = 1, #rows do
    texts[i] = {}
    for j, c in ipairs(cols) do
      local v = value(rows[i], c)
      if v ~= nil and not json_null(v) then kinds[j][numeric(v) and "number" or "text"] = true end
      local s = cell("report.text", v, i, c):gsub("[\r\n\t]", " ")
      texts[i][j] = s
      if width(s) > widths[j] then widths[j] = width(s) end
    end
  end
  local right = {}
  for j in ipairs(cols) do right[j] = kinds[j].number and not kinds[j].text end
  local function line(values)
    local out = {}
    for j, s in ipairs(values) do
      local pad = rep(" ", widths[j] - width(s))
      out[j] = right[j] and pad .. s or s .. pad
    end
    return (concat(out, "  "):gsub("%s+$", ""))
  end
  local lines = {}
  if header then
    local titles, dashes = {}, {}
    for j, c in ipairs(cols) do titles[j], dashes[j] = c.title:gsub("[\r\n\t]", " "), rep("-", widths[j]) end
    lines[1], lines[2] = line(titles), line(dashes)
  end
  for i = 1, #rows do lines[#lines + 1] = line(texts[i]) end
  return concat(lines, "\n")
end

return report
