import Foundation
import LuaKit
import LunasRuntime
import LunasStore
import LunasTesting
import Testing

/// `Runtime.run` as a Swift host uses it: text and file sources, outcomes, output kept per run,
/// cancellation, and `kv` over the runtime's store.
@Suite struct RuntimeTests {
    static let stdlib = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../stdlib").standardizedFileURL.path

    let runtime = Runtime(configuration: RuntimeConfiguration(stdlibFolder: RuntimeTests.stdlib, scriptsFolder: nil))

    func run(_ source: String, name: String = "rule.lua", options: ScriptOptions = ScriptOptions()) async -> (RunResult, RunTranscript) {
        let transcript = RunTranscript()
        let result = await runtime.run(RunRequest(source: .text(source, chunkName: name), options: options, output: transcript.output))
        return (result, transcript)
    }

    @Test func aTextSourceReturnsItsValuesAndKeepsItsOutput() async throws {
        let (result, transcript) = await run("""
            print("total", 42)
            log.info("priced", { items = 3, "first" })
            return 6 * 7, "done"
            """)
        guard case .ok(let values) = result.outcome else { Issue.record("\(result.outcome)"); return }
        #expect(values == [.integer(42), .string("done")])
        #expect(result.outcome.exitCode == 0)
        let records = transcript.records
        #expect(records.map(\.kind) == [.print, .log(.info)])
        #expect(records.first?.text == "total\t42\n")
        #expect(records.last?.message == "priced")
        #expect(records.last?.fields == [RunRecord.Field(name: "1", value: "first"), RunRecord.Field(name: "items", value: "3")])
        #expect(records.last?.location == "rule.lua:2")
        #expect(result.peakMemory > 0)
    }

    @Test func aScriptErrorFailsWithItsPositionFieldsAndTraceback() async throws {
        let (result, _) = await run("""
            local function price(cart)
              error({ code = "no_items", message = "the cart is empty" })
            end
            price({})
            """)
        guard case .failed(let error) = result.outcome else { Issue.record("\(result.outcome)"); return }
        #expect(result.outcome.exitCode == 1)
        guard case .table(let fields) = error.value else { Issue.record("\(error.value)"); return }
        #expect(fields["code"] == .string("no_items"))
        let (plain, _) = await run("local x = nil\nreturn x.total", name: "cart.lua")
        guard case .failed(let indexError) = plain.outcome else { Issue.record("\(plain.outcome)"); return }
        #expect(indexError.message.hasPrefix("cart.lua:2:"), "\(indexError.message)")
        #expect(indexError.traceback?.contains("cart.lua:2") == true, "\(indexError.traceback ?? "no traceback")")
        let (syntax, _) = await run("return (", name: "broken.lua")
        guard case .failed(let syntaxError) = syntax.outcome else { Issue.record("\(syntax.outcome)"); return }
        #expect(syntaxError.kind == .syntax)
        #expect(syntaxError.message.contains("broken.lua:1:"), "\(syntaxError.message)")
    }

    @Test func limitsEndTheRunAndSayWhich() async throws {
        let (spent, _) = await run("while true do end", options: ScriptOptions(limits: LuaLimits(instructions: 1_000_000)))
        guard case .limit(.instructions, let error) = spent.outcome else { Issue.record("\(spent.outcome)"); return }
        #expect(spent.outcome.exitCode == 3)
        #expect(error.location == "rule.lua:1", "\(error.location ?? "none")")
        let (late, _) = await run("while true do end", options: ScriptOptions(limits: LuaLimits(deadline: .milliseconds(50))))
        guard case .limit(.deadline, _) = late.outcome else { Issue.record("\(late.outcome)"); return }
        let (big, _) = await run("local t = {} for i = 1, 1e7 do t[i] = i end", options: ScriptOptions(limits: LuaLimits(memory: 8 << 20)))
        guard case .limit(.memory, _) = big.outcome else { Issue.record("\(big.outcome)"); return }
        #expect(big.peakMemory > 4 << 20)
    }

    @Test func cancellingTheTaskCancelsTheRun() async throws {
        let (started, signal) = AsyncStream.makeStream(of: Void.self)
        let output = ScriptOutput { record in if record.kind == .print { signal.yield() } }
        let runtime = self.runtime
        let task = Task {
            await runtime.run(RunRequest(source: .text("print('started') while true do end", chunkName: "loop.lua"), output: output))
        }
        for await _ in started { break }
        task.cancel()
        let result = await task.value
        guard case .cancelled = result.outcome else { Issue.record("\(result.outcome)"); return }
        #expect(result.outcome.exitCode == 130)
    }

    @Test func concurrentRunsKeepTheirOutputApart() async throws {
        let names = ["a", "b", "c", "d"]
        let transcripts = await withTaskGroup(of: (String, [RunRecord]).self) { group in
            for name in names {
                group.addTask {
                    let (_, transcript) = await run("for i = 1, 2000 do print('\(name)', i) log.info('\(name)', { i = i }) end", name: "\(name).lua")
                    return (name, transcript.records)
                }
            }
            return await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
        for name in names {
            let records = try #require(transcripts[name])
            let printed = records.filter { $0.kind == .print }.map(\.text)
            #expect(printed == (1...2000).map { "\(name)\t\($0)\n" })
            #expect(records.filter { $0.kind == .log(.info) }.allSatisfy { $0.message == name })
        }
    }

    @Test func aSourceThatCannotBeReadIsRejected() async throws {
        let result = await runtime.run(RunRequest(source: .file("/nonexistent/rule.lua")))
        guard case .rejected(let message) = result.outcome else { Issue.record("\(result.outcome)"); return }
        #expect(message.contains("/nonexistent/rule.lua"))
        #expect(result.outcome.exitCode == 2)
    }

    @Test func kvUsesTheRuntimesStore() async throws {
        let fixture = try await StoreFixture.open(.sqlite)
        let runtime = Runtime(configuration: RuntimeConfiguration(stdlibFolder: Self.stdlib, scriptsFolder: nil), store: fixture.store)
        var options = ScriptOptions()
        options.namespace = "pricing"
        let request = { (source: String) in RunRequest(source: .text(source, chunkName: "count.lua"), options: options, output: RunTranscript().output) }
        _ = await runtime.run(request("kv.set('runs', 1)"))
        let result = await runtime.run(request("return kv.incr('runs')"))
        guard case .ok(let values) = result.outcome else { Issue.record("\(result.outcome)"); return }
        #expect(values == [.integer(2)])
        await runtime.shutdown()
        #expect(try await fixture.store.get("runs", in: "pricing") != nil, "the host's store stays open after shutdown")
        try await fixture.close()
    }

    @Test func theHostReadsAndWritesARulesDataAsItsScriptsSeeIt() async throws {
        let fixture = try await StoreFixture.open(.sqlite)
        let runtime = Runtime(configuration: RuntimeConfiguration(stdlibFolder: Self.stdlib, scriptsFolder: nil), store: fixture.store)
        let pricing = try runtime.data(in: "pricing")
        _ = try await pricing.set("tiers", json: #"{"gold": 10}"#)
        var options = ScriptOptions()
        options.namespace = "pricing"
        let result = await runtime.run(RunRequest(
            source: .text("kv.incr('runs'); return kv.get('tiers').gold", chunkName: "rule.lua"), options: options, output: RunTranscript().output))
        guard case .ok(let values) = result.outcome else { Issue.record("\(result.outcome)"); return }
        #expect(values == [.integer(10)])
        #expect(try await pricing.get("runs")?.json == "1")
        #expect(try await pricing.increment("runs", by: 2) == 3)
        #expect(try await pricing.keys().keys == ["runs", "tiers"])
        #expect(try await pricing.delete("tiers"))
        await #expect(throws: ScriptDataError.self) { try await pricing.set("bad", json: "{not json") }
        #expect(throws: ScriptDataError.self) { try Runtime(configuration: RuntimeConfiguration(stdlibFolder: Self.stdlib)).data(in: "x") }
        await runtime.shutdown()
        try await fixture.close()
    }

    /// A host error with fields, as a host module raises it.
    struct OutOfStock: Error, LuaErrorConvertible {
        let sku: String
        var luaFields: LuaTable { LuaTable(fields: ["code": LuaValue.string("out_of_stock"), "sku": LuaValue.string(LuaString(sku))]) }
        var luaMessage: String { "\(sku) is out of stock" }
    }

    static let cart = HostModule("cart")
        .constant("currency", "IDR")
        .function("total") { call in
            let items = try call.table(1)
            return [.integer(items.array.reduce(0) { sum, item in sum + (item.tableValue?["price"].integerValue ?? 0) })]
        }
        .asyncFunction("stock") { arguments in
            await Task.yield()
            guard case .string(let sku) = arguments.first else { throw LuaError(.usage, "cart.stock: a sku string expected") }
            if sku.description == "gone" { throw OutOfStock(sku: "gone") }
            return [.integer(Int64(sku.description.count))]
        }

    @Test func aHostModulesFunctionsWorkInPcallIteratorsAndCoroutines() async throws {
        var options = ScriptOptions()
        options.modules = [Self.cart]
        let (result, _) = await run("""
            local total = cart.total({ { price = 10 }, { price = 32 } })
            local ok, n = pcall(cart.stock, "abcd")
            local failed, err = pcall(cart.stock, "gone")
            local seen = {}
            for _, sku in ipairs({ "a", "bb" }) do seen[#seen + 1] = cart.stock(sku) end
            local co = coroutine.wrap(function() coroutine.yield(cart.stock("ccc")) end)
            return total, ok, n, failed, err.code, err.sku, tostring(err.message), seen[1] + seen[2], co(), cart.currency
            """, options: options)
        guard case .ok(let values) = result.outcome else { Issue.record("\(result.outcome)"); return }
        #expect(values == [.integer(42), .boolean(true), .integer(4), .boolean(false), .string("out_of_stock"), .string("gone"),
                           .string("gone is out of stock"), .integer(3), .integer(3), .string("IDR")])
    }

    @Test func aHostModuleMayNotHideAGlobal() async throws {
        for name in ["string", "kv", "", "a.b"] {
            var options = ScriptOptions()
            options.modules = [HostModule(name)]
            let (result, _) = await run("return 1", options: options)
            guard case .rejected(let message) = result.outcome else { Issue.record("\(name): \(result.outcome)"); continue }
            #expect(message.contains("'\(name)'"), "\(message)")
        }
        var options = ScriptOptions()
        options.modules = [HostModule("cart"), HostModule("cart")]
        let (twice, _) = await run("return 1", options: options)
        guard case .rejected = twice.outcome else { Issue.record("\(twice.outcome)"); return }
    }

    @Test func aHandlerIsCalledWithTheInputAfterTheChunk() async throws {
        let event: LuaValue = .table(LuaTable(fields: ["total": .integer(120_000)]))
        let module = await runtime.run(RunRequest(
            source: .text("local M = {} function M.price(cart) return cart.total * 9 // 10 end return M", chunkName: "m.lua"),
            handler: RunHandler("price", input: [event]), output: RunTranscript().output))
        guard case .ok(let values) = module.outcome else { Issue.record("\(module.outcome)"); return }
        #expect(values == [.integer(108_000)])
        let global = await runtime.run(RunRequest(
            source: .text("function on_order(order, extra) return order.total, extra end", chunkName: "g.lua"),
            handler: RunHandler("on_order", input: [event, "x"]), output: RunTranscript().output))
        guard case .ok(let both) = global.outcome else { Issue.record("\(global.outcome)"); return }
        #expect(both == [.integer(120_000), .string("x")])
        let missing = await runtime.run(RunRequest(source: .text("x = 1", chunkName: "none.lua"), handler: RunHandler("handle"),
                                                   output: RunTranscript().output))
        guard case .failed(let error) = missing.outcome else { Issue.record("\(missing.outcome)"); return }
        #expect(error.message.contains("no function 'handle' to call"), "\(error.message)")
    }

    /// A cart line as the host keeps it; scripts see it as userdata.
    struct Line: Sendable {
        var sku: String
        var quantity: Int64
        var unitPrice: Int64

        static let type: LuaUserdataType<Line> = {
            var type = LuaUserdataType<Line>("CartLine")
            type.field("sku", get: { .string(LuaString($0.sku)) })
            type.field("quantity", get: { .integer($0.quantity) }, set: { line, value in
                guard let quantity = value.integerValue, quantity > 0 else { throw LuaError(.usage, "quantity must be a positive integer") }
                line.quantity = quantity
            })
            type.method("subtotal") { line, _ in [.integer(line.quantity * line.unitPrice)] }
            type.toString { "CartLine(\($0.sku) x\($0.quantity))" }
            return type
        }()
    }

    @Test func aHostModuleMakesUserdataWithMethodsAndFields() async throws {
        var options = ScriptOptions()
        options.modules = [HostModule("cart").constructor("line", Line.type) { call in
            Line(sku: try call.string(1), quantity: try call.integer(2), unitPrice: try call.integer(3))
        }]
        let (result, _) = await run("""
            local line = cart.line("TEE-1", 2, 75000)
            line.quantity = 3
            local ok, err = pcall(function() line.quantity = 0 end)
            return line:subtotal(), line.sku, tostring(line), ok, getmetatable(line), err
            """, options: options)
        guard case .ok(let values) = result.outcome else { Issue.record("\(result.outcome)"); return }
        #expect(Array(values.prefix(5)) == [.integer(225_000), .string("TEE-1"), .string("CartLine(TEE-1 x3)"), .boolean(false), .string("CartLine")])
        #expect(values.last?.stringValue?.contains("quantity must be a positive integer") == true, "\(values)")
    }
}
