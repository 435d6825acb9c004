-- lunas.csv: RFC 4180 text parsed into rows: quoted fields, doubled quotes, separators and line
-- breaks inside quotes, CRLF or LF, a UTF-8 byte order mark. See docs/stdlib.md.

local type, error, tostring, format, concat = type, error, tostring, string.format, table.concat

local csv = {}

local function show(x)
  if type(x) == "string" then return format("%q", x) end
  return type(x) == "number" and tostring(x) or "a " .. type(x)
end

local function line_breaks(s)
  local _, crlf = s:gsub("\r\n", "")
  local _, lf = s:gsub("\n", "")
  local _, cr = s:gsub("\r", "")
  return lf + cr - crlf
end

-- Every record of text as a list of fields, each record with the line it starts on; blank lines
-- are left out. Errors are raised at level (from records' caller's caller).
local function records(text, sep, fname)
  local bad = function(line, why) error(("%s: line %d: %s"):format(fname, line, why), 4) end
  local stop = "[" .. sep:gsub("%p", "%%%0") .. "\r\n\"]"
  local list, pos, n, line = {}, 1, #text, 1
  if text:sub(1, 3) == "\239\187\191" then pos = 4 end
  while pos <= n do
    local fields, first, start = {}, line, pos
    while true do
      if text:byte(pos) == 34 then -- a quoted field
        local parts, i, opened = {}, pos + 1, line
        while true do
          local q = text:find('"', i, true)
          if not q then bad(opened, ("field %d opens a quote that is never closed; close it with \""):format(#fields + 1)) end
          parts[#parts + 1] = text:sub(i, q - 1)
          if text:byte(q + 1) ~= 34 then pos = q + 1 break end
          parts[#parts + 1], i = '"', q + 2
        end
        local value = concat(parts)
        line = line + line_breaks(value)
        fields[#fields + 1] = value
        local after = text:sub(pos, pos)
        if after ~= sep and after ~= "\r" and after ~= "\n" and after ~= "" then
          bad(line, ("field %d has text after its closing quote; a quote inside a quoted field is written twice (\"\")"):format(#fields))
        end
      else
        local at = text:find(stop, pos) or n + 1
        if text:byte(at) == 34 then
          bad(line, ("field %d has a quote but does not start with one; quote the whole field and write the quote twice: \"a \"\"b\"\" c\""):format(#fields + 1))
        end
        fields[#fields + 1] = text:sub(pos, at - 1)
        pos = at
      end
      if text:sub(pos, pos) ~= sep then break end
      pos = pos + 1
    end
    local blank = pos == start
    if text:sub(pos, pos + 1) == "\r\n" then pos = pos + 2 elseif pos <= n then pos = pos + 1 end
    line = line + 1
    if not blank then list[#list + 1] = { fields = fields, line = first } end
  end
  return list
end

-- csv.parse(text [, opts]): with a header row (the default), a list of tables keyed by its names
-- and the list of names; with { header = false }, a list of lists. Every value is a string.
function csv.parse(text, opts)
  if type(text) ~= "string" then error(("csv.parse: expected the CSV text as a string, got %s"):format(show(text)), 2) end
  if opts == nil then opts = {} end
  if type(opts) ~= "table" then error(("csv.parse: the options must be a table like { header = false }, got %s"):format(show(opts)), 2) end
  local sep = opts.sep == nil and "," or opts.sep
  if type(sep) ~= "string" or #sep ~= 1 or sep:find('["\r\n]') then
    error(("csv.parse: sep must be one character other than a quote, CR or LF, got %s"):format(show(sep)), 2)
  end
  if opts.header ~= nil and type(opts.header) ~= "boolean" then
    error(("csv.parse: header must be true or false, got %s"):format(show(opts.header)), 2)
  end
  local list = records(text, sep, "csv.parse")
  if opts.header == false then
    for i, r in ipairs(list) do list[i] = r.fields end
    return list
  end
  if #list == 0 then return {}, {} end
  local names, seen = list[1].fields, {}
  for j, name in ipairs(names) do
    if name == "" then
      error(("csv.parse: line %d: column %d of the header has no name; name it, or parse with { header = false }"):format(list[1].line, j), 2)
    end
    if seen[name] then
      error(("csv.parse: line %d: the header names %q twice (columns %d and %d)"):format(list[1].line, name, seen[name], j), 2)
    end
    seen[name] = j
  end
  local rows = {}
  for i = 2, #list do
    local r = list[i]
    if #r.fields ~= #names then
      error(("csv.parse: line %d has %d fields; the header has %d"):format(r.line, #r.fields, #names), 2)
    end
    local row = {}
    for j, name in ipairs(names) do row[name] = r.fields[j] end
    rows[#rows + 1] = row
  end
  return rows, names
end

return csv
