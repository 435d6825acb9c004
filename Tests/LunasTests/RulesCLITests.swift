import Foundation
import LunasTesting
import Testing

/// `lunas run` on a rules file, as a process in a folder of its own: the listing, `--event` with a
/// payload against the sandbox, `--schedule`, and the flag mistakes (exit 2, saying what to fix).
@Suite("lunas run on a rules file", .testScope)
struct RulesCLITests {
    static let example = LunasBinary.packageRoot.appendingPathComponent("scripts/rules/paid_orders.lua").path

    /// A folder with the example in its scripts folder (`scripts/rules/paid_orders.lua`, named
    /// `rules/paid_orders`) and a plain script; returns the folder.
    static func folder() throws -> URL {
        let folder = try ScalevCLITests.folder()
        let rules = folder.appendingPathComponent("scripts/rules")
        try FileManager.default.createDirectory(at: rules, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: example, toPath: rules.appendingPathComponent("paid_orders.lua").path)
        try "print('plain')".write(to: folder.appendingPathComponent("plain.lua"), atomically: true, encoding: .utf8)
        return folder
    }

    static let rules = "scripts/rules/paid_orders.lua"

    @Test("a rules file lists what it registers and the commands to try one")
    func listing() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try await ScalevCLITests.run(["run", Self.rules], in: folder)
        #expect(run.status == 0, "\(run.err)")
        #expect(run.out == """
            scripts/rules/paid_orders.lua registers 3 rules:
              rules/paid_orders:on:order.payment_status_changed  on     order.payment_status_changed  attempts=3
              rules/paid_orders:job:follow_up                    job    follow_up
              morning_count                                      cron   0 9 * * *  zone=Asia/Jakarta
            try one:
              lunas run scripts/rules/paid_orders.lua --event order.payment_status_changed --payload event.json
              lunas run scripts/rules/paid_orders.lua --schedule 'morning_count'

            """, "\(run.out)")
        let plain = try await ScalevCLITests.run(["run", "plain.lua"], in: folder)
        #expect(plain.status == 0 && plain.out == "plain\n", "a plain script lists nothing: \(plain.out)")
    }

    @Test("--event with a payload runs the matching rule against the sandbox: the order is tagged, the follow-up shown")
    func event() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try "local page = scalev.orders.list { page_size = 1 }\nprint(page.data[1].id)"
            .write(to: folder.appendingPathComponent("first.lua"), atomically: true, encoding: .utf8)
        try "print(table.concat(scalev.orders.get(arg[1]).tags or {}, ','))"
            .write(to: folder.appendingPathComponent("tags.lua"), atomically: true, encoding: .utf8)
        let first = try await ScalevCLITests.run(["run", "--sandbox", "first.lua"], in: folder)
        let id = first.out.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(first.status == 0 && !id.isEmpty, "\(first.err)")
        // the data alone: the event table is made around it
        try #"{ "id": "\#(id)", "payment_status": "paid" }"#.write(to: folder.appendingPathComponent("event.json"), atomically: true, encoding: .utf8)
        let run = try await ScalevCLITests.run(
            ["run", "--sandbox", Self.rules, "--event", "order.payment_status_changed", "--payload", "event.json"], in: folder)
        #expect(run.status == 0, "\(run.err)")
        #expect(run.err.contains("INFO tagged a paid order count=1 order=\(id)"), "\(run.err)")
        #expect(run.err.contains("lunas: would schedule rules/paid_orders:job:follow_up at "), "\(run.err)")
        #expect(run.err.contains(#": {"order_id":"\#(id)"} (key lunas-run#1;"#), "\(run.err)")
        let tags = try await ScalevCLITests.run(["run", "--sandbox", "tags.lua", "--", id], in: folder)
        #expect(tags.out.trimmingCharacters(in: .newlines).split(separator: ",").contains("paid-rule"), "\(tags.out) \(tags.err)")
        // a whole webhook body is used as it is
        try #"{ "event": "order.payment_status_changed", "unique_id": "event_1", "timestamp": "2026-03-01T09:00:00+07:00", "data": { "id": "\#(id)", "payment_status": "unpaid" } }"#
            .write(to: folder.appendingPathComponent("body.json"), atomically: true, encoding: .utf8)
        let body = try await ScalevCLITests.run(
            ["run", "--sandbox", Self.rules, "--event", "order.payment_status_changed", "--payload", "body.json"], in: folder)
        #expect(body.status == 0, "\(body.err)")
        #expect(body.err.contains("INFO not paid yet order=\(id) payment_status=unpaid"), "\(body.err)")
        #expect(!body.err.contains("would schedule"), "\(body.err)")
        let unmatched = try await ScalevCLITests.run(["run", Self.rules, "--event", "customer.created"], in: folder)
        #expect(unmatched.status == 0 && unmatched.err.contains("no rule of scripts/rules/paid_orders.lua matches the event 'customer.created'"), "\(unmatched.err)")
    }

    @Test("--schedule runs the named schedule once, now, with its fire table")
    func schedule() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try await ScalevCLITests.run(["run", "--sandbox", Self.rules, "--schedule", "morning_count"], in: folder)
        #expect(run.status == 0, "\(run.err)")
        #expect(run.err.contains("INFO paid orders tagged so far count=0 slot=20"), "\(run.err)")
        #expect(run.err.contains("+07:00 (scripts/rules/paid_orders.lua:"), "the slot is in the rule's zone: \(run.err)")
    }

    @Test("flag mistakes exit 2 and say what to fix")
    func usage() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let payload = try await ScalevCLITests.run(["run", Self.rules, "--payload", "event.json"], in: folder)
        #expect(payload.status == 2 && payload.err.contains("--payload is the data of an event: add --event NAME"), "\(payload.err)")
        let both = try await ScalevCLITests.run(["run", Self.rules, "--event", "order.created", "--schedule", "morning_count"], in: folder)
        #expect(both.status == 2 && both.err.contains("give one of them"), "\(both.err)")
        let pattern = try await ScalevCLITests.run(["run", Self.rules, "--event", "order.*"], in: folder)
        #expect(pattern.status == 2 && pattern.err.contains("--event takes an event's name"), "\(pattern.err)")
        let plain = try await ScalevCLITests.run(["run", "plain.lua", "--event", "order.created"], in: folder)
        #expect(plain.status == 2, "\(plain.err)")
        #expect(plain.err == "lunas: --event runs a rule of a rules file, and plain.lua registers none (a rules file's top level calls on, cron, every or job): run it without --event\n")
        #expect(!plain.out.contains("plain"), "the plain script did not run: \(plain.out)")
        let unknown = try await ScalevCLITests.run(["run", Self.rules, "--schedule", "morning_cont"], in: folder)
        #expect(unknown.status == 2, "\(unknown.err)")
        #expect(unknown.err == "lunas: --schedule: scripts/rules/paid_orders.lua has no schedule 'morning_cont' (did you mean 'morning_count'?); its schedules: morning_count\n")
        let missing = try await ScalevCLITests.run(["run", Self.rules, "--event", "order.created", "--payload", "nope.json"], in: folder)
        #expect(missing.status == 2 && missing.err.contains("--payload: cannot read nope.json"), "\(missing.err)")
        try #"{ "event": "order.created", "data": {} }"#.write(to: folder.appendingPathComponent("created.json"), atomically: true, encoding: .utf8)
        let mismatch = try await ScalevCLITests.run(["run", Self.rules, "--event", "order.payment_status_changed", "--payload", "created.json"], in: folder)
        #expect(mismatch.status == 2 && mismatch.err.contains("give --event order.created"), "\(mismatch.err)")
    }
}
