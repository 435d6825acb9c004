local t = require "lunas.test"
local describe, it, expect = t.describe, t.it, t.expect
local validate = require "lunas.validate"

local function reason(f, v)
  local ok, why = f(v)
  expect(ok).to_be_nil()
  return why
end

describe("lunas.validate", function()
  describe("phone", function()
    it("normalises every common way of writing an Indonesian mobile number to E.164", function()
      for _, written in ipairs({
        "081234567890", "+6281234567890", "6281234567890", "81234567890", "006281234567890",
        "0812-3456-7890", "0812 3456 7890", "0812.3456.7890", "(0812) 3456-7890", "+62 812-3456-7890",
        "+62 (812) 3456 7890", "(+62) 812 3456 7890", "+62 0812 3456 7890", "  0812 3456 7890\n",
        "0812\194\1603456\194\1607890",
      }) do
        expect(validate.phone(written)).to_equal("+6281234567890")
      end
      expect(validate.phone(81234567890)).to_equal("+6281234567890")
    end)

    it("takes the shortest and the longest mobile numbers: 9 to 12 digits after the 0", function()
      expect(validate.phone("0812345678")).to_equal("+62812345678")
      expect(validate.phone("0812345678901")).to_equal("+62812345678901")
      expect(validate.phone("0895 1234 5678")).to_equal("+6289512345678")
    end)

    it("gives nil and the reason for a number that is too short or too long", function()
      expect(reason(validate.phone, "0812-345-67")).to_equal('"0812-345-67" is too short: 8 digits after 0 (or +62); a mobile number has 9 to 12')
      expect(reason(validate.phone, "+62 812 3456 789012")).to_equal('"+62 812 3456 789012" is too long: 13 digits after 0 (or +62); a mobile number has 9 to 12')
    end)

    it("refuses landlines, other countries and stray characters, saying why", function()
      expect(reason(validate.phone, "021-5551234")).to_contain("is not a mobile number: Indonesian mobile numbers start with 08 (+628)")
      expect(reason(validate.phone, "0800 123 4567")).to_contain("is not a mobile number")
      expect(reason(validate.phone, "+60 12-345 6789")).to_equal('"+60 12-345 6789" is not an Indonesian number (its country code is not +62)')
      expect(reason(validate.phone, "0812/3456/7890")).to_equal('"0812/3456/7890" has characters other than digits, spaces and + - . ( )')
      expect(reason(validate.phone, "0812 3456 7890 ext 2")).to_contain("has characters other than digits")
      expect(reason(validate.phone, "0812+34567890")).to_equal('"0812+34567890" has a + that is not at its start')
    end)

    it("gives nil and \"no phone number\" for nil, json.null and blank text", function()
      expect(reason(validate.phone, nil)).to_equal("no phone number")
      expect(reason(validate.phone, json.null)).to_equal("no phone number")
      expect(reason(validate.phone, "   ")).to_equal("no phone number")
    end)

    it("raises for a value that is not text", function()
      expect(function() validate.phone({ "0812" }) end).to_error("validate.phone: expected a string, got table")
      expect(function() validate.phone(8.12) end).to_error("validate.phone: expected a string, got number")
    end)
  end)

  describe("email", function()
    it("accepts an address and lowercases its domain, keeping the part before the @", function()
      expect(validate.email("Budi.Santoso@Gmail.COM")).to_equal("Budi.Santoso@gmail.com")
      expect(validate.email("  siti+toko@mail.co.id \n")).to_equal("siti+toko@mail.co.id")
      expect(validate.email("o'brien_99@sub.example-shop.id")).to_equal("o'brien_99@sub.example-shop.id")
      expect(validate.email("a@xn--h1aax.xn--p1ai")).to_equal("a@xn--h1aax.xn--p1ai")
    end)

    it("gives nil and the reason for a malformed address", function()
      local cases = {
        { "budi.gmail.com", '"budi.gmail.com" has no @' },
        { "budi@@gmail.com", '"budi@@gmail.com" has more than one @' },
        { "@gmail.com", '"@gmail.com" has nothing before the @' },
        { "budi@", '"budi@" has nothing after the @' },
        { "budi santoso@gmail.com", '"budi santoso@gmail.com" has a space in it' },
        { "budi@gmail", '"budi@gmail" has no dot in its domain "gmail" (e.g. gmail.com)' },
        { "budi@gmail..com", '"budi@gmail..com" has an empty part in its domain "gmail..com" (two dots in a row, or one at an end)' },
        { "budi@.gmail.com", "has an empty part in its domain" },
        { "budi@gmail.com.", "has an empty part in its domain" },
        { "budi@gmail.c", '"budi@gmail.c" has "c" as its last part, not a top-level domain like com or id' },
        { "budi@gmail.123", "as its last part, not a top-level domain" },
        { "budi@gm_ail.com", "has a character other than letters, digits, - and . in its domain" },
        { "budi@-gmail.com", "that starts or ends with -" },
        { ".budi@gmail.com", "has a dot at the start or end of the part before the @, or two dots in a row" },
        { "budi.@gmail.com", "has a dot at the start or end" },
        { "bu..di@gmail.com", "two dots in a row" },
        { "bu(di)@gmail.com", '"bu(di)@gmail.com" has "(" before the @, which addresses cannot have there' },
        { "bùdi@gmail.com", "has characters other than ASCII" },
        { ("a"):rep(65) .. "@gmail.com", "has more than 64 characters before the @" },
        { "a@" .. ("b"):rep(64) .. ".com", "has a part of its domain longer than 63 characters" },
        { "a@" .. (("b"):rep(60) .. "."):rep(5) .. "com", "has a domain longer than 253 characters" },
      }
      for _, case in ipairs(cases) do expect(reason(validate.email, case[1])).to_contain(case[2]) end
    end)

    it("gives nil and \"no email address\" for nil, json.null and blank text", function()
      expect(reason(validate.email, nil)).to_equal("no email address")
      expect(reason(validate.email, json.null)).to_equal("no email address")
      expect(reason(validate.email, "")).to_equal("no email address")
    end)

    it("raises for a value that is not text", function()
      expect(function() validate.email(true) end).to_error("validate.email: expected a string, got boolean")
    end)
  end)
end)
