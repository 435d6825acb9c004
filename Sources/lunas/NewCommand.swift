import ArgumentParser
import Foundation

struct NewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new",
        abstract: "Start a script: NAME.lua and its spec NAME_spec.lua (and a .luarc.json for editors).",
        discussion: """
            Writes NAME.lua and NAME_spec.lua in the working directory, and .luarc.json (LuaLS:
            completion and checks from Lunas' type definitions and stdlib) unless one is there.
            Refuses to overwrite a file. The new spec passes: lunas test NAME_spec.lua

            Templates: rule (default) — an on() rule for lunas serve, tagging paid orders;
            report — a one-off script for lunas run, orders by payment status as CSV.
            """)

    enum Template: String, ExpressibleByArgument, CaseIterable {
        case rule
        case report
    }

    @Argument(help: "The script's name: letters, digits and _ (it names the files and the kv namespace).")
    var name: String

    @Option(help: "What to start from: rule or report.")
    var template: Template = .rule

    func validate() throws {
        let plain = name.hasSuffix(".lua") ? String(name.dropLast(4)) : name
        guard let first = plain.unicodeScalars.first, CharacterSet.letters.contains(first),
              plain.unicodeScalars.allSatisfy({ ($0.isASCII && CharacterSet.alphanumerics.contains($0)) || $0 == "_" }),
              !plain.hasSuffix("_spec") else {
            throw ValidationError("the name must start with a letter and hold only letters, digits and _ (like paid_orders), not '\(name)'")
        }
    }

    func run() throws {
        let script = name.hasSuffix(".lua") ? String(name.dropLast(4)) : name
        let files = FileManager.default
        let planned = [
            ("\(script).lua", template == .rule ? Self.rule(script) : Self.report(script)),
            ("\(script)_spec.lua", template == .rule ? Self.ruleSpec(script) : Self.reportSpec(script)),
        ]
        let taken = planned.map(\.0).filter { files.fileExists(atPath: $0) }
        guard taken.isEmpty else {
            FileHandle.standardError.write(Data("lunas new: \(taken.joined(separator: " and ")) already exist\(taken.count == 1 ? "s" : ""): nothing written (choose another name, or move the file away)\n".utf8))
            throw ExitCode(2)
        }
        var written: [String] = []
        for (file, text) in planned {
            try Data(text.utf8).write(to: URL(fileURLWithPath: file), options: .withoutOverwriting)
            written.append(file)
        }
        if !files.fileExists(atPath: ".luarc.json") {
            try Data(Self.luarc().utf8).write(to: URL(fileURLWithPath: ".luarc.json"), options: .withoutOverwriting)
            written.append(".luarc.json")
        }
        let run = template == .rule
            ? "lunas run --sandbox \(script).lua    (lists its rules; --event order.payment_status_changed --payload event.json runs one)"
            : "lunas run --sandbox \(script).lua"
        print("""
            wrote \(written.joined(separator: ", "))
            next:
              lunas test \(script)_spec.lua
              \(run)
            """)
    }

    /// `.luarc.json` for LuaLS: Lua 5.4, the Lunas type definitions and the stdlib as libraries.
    static func luarc() -> String {
        let stdlib = URL(fileURLWithPath: StdlibFolder.path).standardizedFileURL
        let types = ProcessInfo.processInfo.environment["LUNAS_TYPES"].map { URL(fileURLWithPath: $0) }
            ?? stdlib.deletingLastPathComponent().appendingPathComponent("types")
        func quoted(_ text: String) -> String {
            "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        return """
            {
              "$schema": "https://raw.githubusercontent.com/LuaLS/vscode-lua/master/setting/schema.json",
              "runtime.version": "Lua 5.4",
              "workspace.library": [\(quoted(types.standardizedFileURL.path)), \(quoted(stdlib.path))],
              "workspace.checkThirdParty": false,
              "diagnostics.disable": ["lowercase-global"]
            }

            """
    }

    static func rule(_ name: String) -> String {
        """
        -- \(name): tags an order "paid" when Scalev says its payment went through, and counts them.
        -- Trigger: the order.payment_status_changed webhook, under lunas serve (put this file in rules/).
        -- Configuration: none.
        -- Try it: lunas run --sandbox \(name).lua --event order.payment_status_changed --payload event.json
        -- Test it: lunas test \(name)_spec.lua

        on("order.payment_status_changed", function(event)
          local order = event.data
          if order.payment_status ~= "paid" then return end
          -- add_tags keeps the order's other tags, and adding a tag twice leaves one: safe to repeat
          scalev.orders.add_tags(order.id, { "paid" })
          -- a counter is not: count each event once, even when it is delivered again
          if kv.add("counted:" .. event.unique_id, true, { ttl = 30 * 86400 }) then
            kv.incr("paid_orders")
          end
        end)

        """
    }

    static func ruleSpec(_ name: String) -> String {
        """
        -- The spec of \(name).lua: lunas test \(name)_spec.lua
        local t = require "lunas.test"
        local describe, it, expect = t.describe, t.it, t.expect

        describe("\(name)", function()
          t.before_each(function()
            t.sandbox.reset()
            t.rules.load("\(name).lua")
          end)

          it("tags a paid order and counts it", function()
            local order = t.sandbox.order({ payment_status = "paid" })
            local before = kv.get("paid_orders") or 0
            t.rules.emit("order.payment_status_changed", order)
            expect(scalev.orders.get(order.id).tags).to_contain("paid")
            expect(kv.get("paid_orders")).to_be(before + 1)
          end)

          it("leaves an unpaid order alone", function()
            local order = t.sandbox.order()
            t.rules.emit("order.payment_status_changed", order)
            expect(scalev.orders.get(order.id).tags).never.to_contain("paid")
          end)
        end)

        """
    }

    static func report(_ name: String) -> String {
        """
        -- \(name): the store's orders by payment status, with their gross revenue, as CSV.
        -- Run it: lunas run --sandbox \(name).lua > \(name).csv
        -- Configuration: none. Test it: lunas test \(name)_spec.lua
        local money = require "lunas.money"

        local rows, order_count = {}, 0
        for order in scalev.orders.each(nil, { progress = false }) do
          local status = order.payment_status or "unknown"
          local row = rows[status] or { orders = 0, gross_revenue = money(0) }
          row.orders = row.orders + 1
          row.gross_revenue = row.gross_revenue + money(order.gross_revenue or "0")
          rows[status] = row
          order_count = order_count + 1
        end

        local statuses = {}
        for status in pairs(rows) do statuses[#statuses + 1] = status end
        table.sort(statuses)
        print("payment_status,orders,gross_revenue")
        for _, status in ipairs(statuses) do
          print(("%s,%d,%s"):format(status, rows[status].orders, tostring(rows[status].gross_revenue)))
        end
        log.info("report written", { orders = order_count, statuses = #statuses })
        return { orders = order_count }

        """
    }

    static func reportSpec(_ name: String) -> String {
        """
        -- The spec of \(name).lua: lunas test \(name)_spec.lua
        local t = require "lunas.test"
        local describe, it, expect = t.describe, t.it, t.expect

        describe("\(name)", function()
          t.before_each(function() t.sandbox.reset() end)

          it("writes a CSV header and a row per payment status", function()
            local run = t.run("\(name).lua")
            expect(run.error).to_be_nil()
            expect(run.output).to_contain("payment_status,orders,gross_revenue\\n")
            expect(run.output).to_contain("\\npaid,")
          end)

          it("counts a new order", function()
            local before = t.run("\(name).lua").values[1].orders
            t.sandbox.order({ payment_status = "paid" })
            expect(t.run("\(name).lua").values[1].orders).to_be(before + 1)
          end)
        end)

        """
    }
}
