local t = require "lunas.test"
local describe, it, expect = t.describe, t.it, t.expect
local csv = require "lunas.csv"

describe("lunas.csv", function()
  it("parses a header row into a list of tables keyed by its names, and returns the names", function()
    local rows, names = csv.parse("order_id,awb,courier\n1001,JNE123,jne\n1002,SC456,sicepat\n")
    expect(rows).to_equal({
      { order_id = "1001", awb = "JNE123", courier = "jne" },
      { order_id = "1002", awb = "SC456", courier = "sicepat" },
    })
    expect(names).to_equal({ "order_id", "awb", "courier" })
  end)

  it("reads quoted fields with doubled quotes, separators and line breaks inside", function()
    local rows = csv.parse('name,note\r\n"Toko ""Kopi""","Jl. Merdeka 1,\r\nJakarta"\r\n"",x\r\n')
    expect(rows[1].name).to_equal('Toko "Kopi"')
    expect(rows[1].note).to_equal("Jl. Merdeka 1,\r\nJakarta")
    expect(rows[2].name).to_equal("")
  end)

  it("takes CRLF, LF and CR line ends, a last line without one, and a UTF-8 byte order mark", function()
    expect(csv.parse("a,b\r\n1,2\r\n3,4")).to_equal({ { a = "1", b = "2" }, { a = "3", b = "4" } })
    expect(csv.parse("a,b\n1,2\r\n3,4\r")).to_equal({ { a = "1", b = "2" }, { a = "3", b = "4" } })
    local rows, names = csv.parse("\239\187\191id,total\n7,125000.50\n")
    expect(names[1]).to_equal("id")
    expect(rows[1].id).to_equal("7")
  end)

  it("keeps empty fields and spaces as they are, and leaves out blank lines", function()
    expect(csv.parse("a,b,c\n, x ,\n\n\n1,2,3\n\n")).to_equal({ { a = "", b = " x ", c = "" }, { a = "1", b = "2", c = "3" } })
  end)

  it("gives lists of fields with { header = false }", function()
    expect(csv.parse('1,"a,b"\n2,c\n', { header = false })).to_equal({ { "1", "a,b" }, { "2", "c" } })
    expect(csv.parse("", { header = false })).to_equal({})
    expect(csv.parse("x", { header = false })).to_equal({ { "x" } })
  end)

  it("takes another separator", function()
    expect(csv.parse("id;total\n1;1.250,50\n", { sep = ";" })).to_equal({ { id = "1", total = "1.250,50" } })
    expect(csv.parse("a\tb\n1\t2", { sep = "\t" })).to_equal({ { a = "1", b = "2" } })
  end)

  it("gives no rows for a header alone or for no text", function()
    local rows, names = csv.parse("id,total\r\n")
    expect(rows).to_equal({})
    expect(names).to_equal({ "id", "total" })
    local none, no_names = csv.parse("")
    expect(none).to_equal({})
    expect(no_names).to_equal({})
  end)

  it("names the line of an unterminated quote: the line where it opened", function()
    expect(function() csv.parse('a,b\n1,2\n3,"four\nfive\n') end).to_error(
      'csv.parse: line 3: field 2 opens a quote that is never closed; close it with "')
  end)

  it("counts the line breaks inside quoted fields in later line numbers", function()
    expect(function() csv.parse('a,b\n"x\r\ny\nz",1\n2\n') end).to_error("csv.parse: line 5 has 1 fields; the header has 2")
  end)

  it("refuses text after a closing quote and a quote inside an unquoted field", function()
    expect(function() csv.parse('a,b\n"x"y,1\n') end).to_error(
      'csv.parse: line 2: field 1 has text after its closing quote; a quote inside a quoted field is written twice ("")')
    expect(function() csv.parse('a,b\n1,5"\n') end).to_error(
      "csv.parse: line 2: field 2 has a quote but does not start with one; quote the whole field and write the quote twice")
  end)

  it("refuses a row whose field count differs from the header's", function()
    expect(function() csv.parse("a,b\n1,2,3\n") end).to_error("csv.parse: line 2 has 3 fields; the header has 2")
    expect(function() csv.parse("a,b\n1,2\n3\n") end).to_error("csv.parse: line 3 has 1 fields; the header has 2")
  end)

  it("refuses a header with an empty or a repeated name", function()
    expect(function() csv.parse("a,,c\n1,2,3\n") end).to_error(
      "csv.parse: line 1: column 2 of the header has no name; name it, or parse with { header = false }")
    expect(function() csv.parse("\n\nid,total,id\n") end).to_error('csv.parse: line 3: the header names "id" twice (columns 1 and 3)')
  end)

  it("names a bad argument", function()
    expect(function() csv.parse(nil) end).to_error("csv.parse: expected the CSV text as a string, got a nil")
    expect(function() csv.parse("a", "header") end).to_error('csv.parse: the options must be a table like { header = false }, got "header"')
    expect(function() csv.parse("a", { sep = '"' }) end).to_error("csv.parse: sep must be one character other than a quote, CR or LF")
    expect(function() csv.parse("a", { header = "no" }) end).to_error('csv.parse: header must be true or false, got "no"')
  end)

  it("errors name the caller's line", function()
    local _, here = pcall(function() csv.parse('a\n"x') end)
    expect(here).to_contain("csv_spec.lua:")
  end)

  it("parses 5,000 rows", function()
    local lines = { "id,name,total" }
    for i = 1, 5000 do lines[#lines + 1] = ('%d,"Pelanggan %d, Bandung",%d.50'):format(i, i, i * 1000) end
    local rows = csv.parse(table.concat(lines, "\r\n"))
    expect(#rows).to_equal(5000)
    expect(rows[5000]).to_equal({ id = "5000", name = "Pelanggan 5000, Bandung", total = "5000000.50" })
  end)
end)
