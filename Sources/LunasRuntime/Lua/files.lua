-- The Lua side of `input` and `output` (chunk `=lunas.files`): the one file the operator granted
-- each (`lunas run --input FILE`, `--output FILE`). The host reads and writes; it raises its
-- errors at the script's line.
local raw_input, raw_output = rawget(_G, "__input"), rawget(_G, "__output")
__input, __output = nil, nil
local type, error, select, tostring = type, error, select, tostring
local find, sub, byte, concat = string.find, string.sub, string.byte, table.concat

if raw_input then
  local text = raw_input.text
  input = {
    text = function() return text() end,
    lines = function()
      local all, at = text(), 1
      return function()
        if at > #all then return nil end
        local nl = find(all, "\n", at, true)
        local line
        if nl then line, at = sub(all, at, nl - 1), nl + 1 else line, at = sub(all, at), #all + 1 end
        if byte(line, -1) == 13 then line = sub(line, 1, -2) end
        return line
      end
    end,
  }
end

if raw_output then
  local write = raw_output.write
  output = {
    write = function(...)
      local parts = { ... }
      for i = 1, select("#", ...) do
        local part = parts[i]
        local t = type(part)
        if t == "number" then
          parts[i] = tostring(part)
        elseif t ~= "string" then
          error("output.write: argument " .. i .. " must be a string or a number, got " .. t, 2)
        end
      end
      write(concat(parts, "", 1, select("#", ...)))
    end,
  }
end
