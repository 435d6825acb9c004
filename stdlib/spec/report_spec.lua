local t = require "lunas.test"
local describe, it, expect = t.describe, t.it, t.expect
local report = require "lunas.report"
local money = require "lunas.money"

local rows = {
  { id = 1001, customer = "Budi", total = money("125000.50"), paid = true },
  { id = 1002, customer = "Siti, Jakarta", total = money(99000), paid = false },
  { id = 1003, customer = 'Toko "Kopi"', total = money("-2500"), note = "line one\nline two" },
}

describe("lunas.report", function()
  describe("csv", function()
    it("writes a header and one CRLF-ended record per row, money as its decimal string", function()
      expect(report.csv(rows, { "id", "customer", "total", "paid" })).to_equal(
        "id,customer,total,paid\r\n" ..
        "1001,Budi,125000.50,true\r\n" ..
        '1002,"Siti, Jakarta",99000.00,false\r\n' ..
        '1003,"Toko ""Kopi""",-2500.00,\r\n')
    end)

    it("quotes a field with a separator, a quote, CR or LF, and only those", function()
      local out = report.csv({ { a = "x\r\ny", b = "cr\r", c = " padded ", d = "" } }, { "a", "b", "c", "d" }, { header = false })
      expect(out).to_equal('"x\r\ny","cr\r", padded ,\r\n')
    end)

    it("takes titles, format functions, LF line ends and another separator", function()
      local out = report.csv(rows, {
        { key = "id", title = "Order" },
        { key = "total", title = "Total; Rp", format = function(v) return v:format() end },
      }, { sep = ";", eol = "\n" })
      expect(out).to_equal('Order;"Total; Rp"\n1001;Rp 125.000,50\n1002;Rp 99.000\n1003;-Rp 2.500\n')
    end)

    it("writes nil and json.null as empty fields", function()
      expect(report.csv({ { a = 1 }, { a = json.null, b = "x" } }, { "a", "b" })).to_equal("a,b\r\n1,\r\n,x\r\n")
    end)

    it("uses every key of the rows, sorted, when no columns are given", function()
      expect(report.csv({ { b = 2 }, { a = 1, c = 3 } })).to_equal("a,b,c\r\n,2,\r\n1,,3\r\n")
    end)

    it("writes rows that are lists, with column numbers as keys", function()
      expect(report.csv({ { 1001, "Budi" }, { 1002, "Siti" } }, { 2, { key = 1, title = "id" } })).to_equal("2,id\r\nBudi,1001\r\nSiti,1002\r\n")
    end)

    it("gives only the header for no rows, and nothing for no rows without a header", function()
      expect(report.csv({}, { "id", "total" })).to_equal("id,total\r\n")
      expect(report.csv({}, { "id" }, { header = false })).to_equal("")
    end)

    it("reads back through lunas.csv as the same strings", function()
      local csv = require "lunas.csv"
      local back = csv.parse(report.csv(rows, { "id", "customer", "total", "note" }))
      expect(back[2].customer).to_equal("Siti, Jakarta")
      expect(back[3].customer).to_equal('Toko "Kopi"')
      expect(back[3].note).to_equal("line one\nline two")
      expect(money(back[1].total)).to_equal(money("125000.50"))
    end)

    it("names a value it cannot write and a bad option", function()
      expect(function() report.csv({ { items = { 1, 2 } } }, { "items" }) end).to_error(
        'report.csv: row 1, column "items" is a table; give it a string, a number or a money value (or a format function)')
      expect(function() report.csv("rows") end).to_error('report.csv: expected a list of rows (tables), got "rows"')
      expect(function() report.csv({ 5 }) end).to_error("report.csv: row 1 is 5, not a table")
      expect(function() report.csv({}, "id,total") end).to_error("report.csv: columns must be a list")
      expect(function() report.csv({}, { 7, {} }) end).to_error("report.csv: column 2 must be a key (a string or an integer) or a table like")
      expect(function() report.csv({}, { "a" }, { sep = ";;" }) end).to_error('report.csv: sep must be one character other than a quote, CR or LF, got ";;"')
      expect(function() report.csv({}, { "a" }, { eol = "\r" }) end).to_error("report.csv: eol must be")
      expect(function() report.csv({}, { { key = "a", format = "%d" } }) end).to_error("report.csv: column 1's format must be a function(value, row)")
    end)
  end)

  describe("text", function()
    it("aligns columns two spaces apart, numbers and money to the right", function()
      expect(report.text(rows, { "id", "customer", "total" })).to_equal(table.concat({
        "  id  customer           total",
        "----  -------------  ---------",
        "1001  Budi           125000.50",
        "1002  Siti, Jakarta   99000.00",
        '1003  Toko "Kopi"     -2500.00',
      }, "\n"))
    end)

    it("counts UTF-8 characters, not bytes, and flattens line breaks", function()
      local out = report.text({ { name = "Kopi Susu Gula Aren", qty = 2 }, { name = "Teh Tarik — panas", qty = 10 },
        { name = "two\nlines", qty = 1 } }, { "name", "qty" })
      expect(out).to_equal(table.concat({
        "name                 qty",
        "-------------------  ---",
        "Kopi Susu Gula Aren    2",
        "Teh Tarik — panas     10",
        "two lines              1",
      }, "\n"))
    end)

    it("left-aligns a column that mixes numbers and text, takes titles and format, and can leave out the header", function()
      local out = report.text({ { v = 1 }, { v = "n/a" }, { v = money(5) } },
        { { key = "v", title = "Value", format = function(v) return v end } })
      expect(out).to_equal("Value\n-----\n1\nn/a\n5.00")
      expect(report.text({ { a = 1, b = "x" } }, { "a", "b" }, { header = false })).to_equal("1  x")
    end)

    it("gives the header alone for no rows", function()
      expect(report.text({}, { "id", "total" })).to_equal("id  total\n--  -----")
    end)

    it("names a value it cannot write", function()
      expect(function() report.text({ { f = print } }, { "f" }) end).to_error('report.text: row 1, column "f" is a function')
    end)
  end)
end)
