import Foundation
import Testing

/// `lunas serve` refuses a configuration it cannot serve, at start, saying what to fix (exit 2).
@Suite(.timeLimit(.minutes(1))) struct ServeConfigurationTests {
    @Test func anUnsetWebhookSecretABadDurationAndAMissingRulesFolderStopItAtStart() throws {
        let folder = try ServeFolder(rules: [:])
        let unset = try LunasCommand.run(["serve"], in: folder.url)
        #expect(unset.status == 2)
        #expect(unset.stderr.contains("webhooks.scalev.secret_env names SCALEV_WEBHOOK_SECRET, which is not set"), "\(unset.stderr)")

        let badLease = try ServeFolder(rules: [:], serve: #"concurrency = 0"#)
        let refused = try LunasCommand.run(["serve"], in: badLease.url)
        #expect(refused.status == 2 && refused.stderr.contains("serve.concurrency must be between 1 and 10000 runs, not 0"), "\(refused.stderr)")

        try Data("[serve]\ngrace = \"soon\"\n".utf8).write(to: folder.url.appendingPathComponent("lunas.toml"))
        let grace = try LunasCommand.run(["serve"], in: folder.url)
        #expect(grace.status == 2 && grace.stderr.contains(#"serve.grace is "soon"; it must be a duration"#), "\(grace.stderr)")

        try Data("[serve]\nrules = [\"nowhere\"]\nlisten = \"127.0.0.1:0\"\n".utf8).write(to: folder.url.appendingPathComponent("lunas.toml"))
        let missing = try LunasCommand.run(["serve"], in: folder.url)
        #expect(missing.status == 2 && missing.stderr.contains("the rules folder 'nowhere' does not exist"), "\(missing.stderr)")

        let listen = try LunasCommand.run(["serve", "--listen", "nowhere"], in: folder.url)
        #expect(listen.status == 2 && listen.stderr.contains("--listen must be HOST:PORT"), "\(listen.stderr)")
    }
}
