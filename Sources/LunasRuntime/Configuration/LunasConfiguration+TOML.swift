import Foundation
import LuaKit
import LunasStore
import ScalevModel
import TOMLKit

extension LunasConfiguration {
    /// Parses `lunas.toml` text. Unknown keys, wrong types and inline secrets are errors that
    /// name the key and say what to write instead.
    public init(toml text: String, file: String = LunasConfiguration.defaultFile) throws {
        let root: TOMLTable
        do {
            root = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigurationError(file: file, message: "line \(error.source.begin.line): \(error.description)")
        }
        let top = TOMLSection(table: root, path: "", file: file)
        try top.allow(["base_url", "v2_base_url", "store", "scripts_folder", "vault_key_file", "default_credential", "credentials", "scripts", "kv", "time_zone", "serve", "webhooks", "http"])
        var configuration = LunasConfiguration(
            file: file,
            baseURL: try top.origin("base_url"),
            v2BaseURL: try top.origin("v2_base_url"),
            store: try top.string("store"),
            scriptsFolder: try top.string("scripts_folder"),
            vaultKeyFile: try top.string("vault_key_file"),
            defaultCredential: try top.string("default_credential"))
        for (name, section) in try top.sections("credentials") {
            configuration.credentials[name] = try CredentialEntry(name: name, section: section)
        }
        for (name, section) in try top.sections("scripts") {
            configuration.scripts[name] = try ScriptEntry(name: name, section: section)
        }
        if let section = try top.section("kv") { configuration.kvQuota = try KVQuota(section: section) }
        if let section = try top.section("serve") { configuration.serve = try ServeSettings(section: section) }
        if let section = try top.section("http") { configuration.http = try HTTPSettings(section: section) }
        for (name, section) in try top.sections("webhooks") {
            configuration.webhooks[name] = try WebhookSource(name: name, section: section)
        }
        if let zone = try top.string("time_zone") {
            guard TimeZone(identifier: zone) != nil else {
                throw top.error("time_zone", "is '\(zone)', which is not a time zone: use an IANA name like Asia/Jakarta or Europe/Berlin")
            }
            configuration.timeZone = zone
        }
        try configuration.checkReferences()
        self = configuration
    }

    private func checkReferences() throws {
        let file = self.file ?? Self.defaultFile
        let known = credentials.keys.sorted()
        func check(_ name: String, at key: String) throws {
            guard credentials[name] == nil else { return }
            let list = known.isEmpty ? "none is defined" : "defined: \(known.joined(separator: ", "))"
            throw ConfigurationError(file: file, message: "\(key) names credential '\(name)', which is not defined (\(list))")
        }
        if let defaultCredential { try check(defaultCredential, at: "default_credential") }
        for script in scripts.values.sorted(by: { $0.name < $1.name }) {
            if let credential = script.credential { try check(credential, at: "scripts.\(script.name).credential") }
            for grant in script.grants ?? [] { try check(grant, at: "scripts.\(script.name).grants") }
        }
        for source in webhooks.values.sorted(by: { $0.name < $1.name }) {
            if let credential = source.credential { try check(credential, at: "webhooks.\(source.name).credential") }
        }
    }
}

extension CredentialEntry {
    init(name: String, section: TOMLSection) throws {
        try section.allow(["kind", "secret_env", "client_secret_env", "vault", "base_url", "budget", "reserve", "store", "publishable_key", "client_id", "business"])
        guard let kindText = try section.string("kind") else {
            throw section.error("kind", "is missing: say which family this credential is (\(Kind.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        guard let kind = Kind(rawValue: kindText) else {
            throw section.error("kind", "is '\(kindText)'; expected one of \(Kind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self.init(name: name, kind: kind)
        secretEnvironment = try section.string(kind == .oauth ? "client_secret_env" : "secret_env")
        vaultName = try section.string("vault")
        baseURL = try section.origin("base_url")
        budget = try section.strings("budget")
        if let reserve = try section.integer("reserve") {
            guard reserve >= 0 else { throw section.error("reserve", "must be 0 or more, not \(reserve)") }
            self.reserve = reserve
        }
        storeID = try section.string("store")
        publishableKey = try section.string("publishable_key")
        clientID = try section.string("client_id")
        businessID = try section.string("business")
        switch kind {
        case .apiKey:
            if secretEnvironment == nil && vaultName == nil {
                throw section.error("secret_env", "is missing: name the environment variable holding the key (secret_env = \"SCALEV_API_KEY\"), or store it in the vault with `lunas auth key \(name)` and write vault = \"\(name)\"")
            }
        case .oauth:
            if clientID == nil { throw section.error("client_id", "is missing: the OAuth application's client id") }
        case .storefront, .customer:
            if storeID == nil { throw section.error("store", "is missing: the store's unique id (store_…)") }
            if publishableKey == nil { throw section.error("publishable_key", "is missing: the store's storefront key (sfpk_…)") }
        }
    }
}

extension KVQuota {
    /// The most either limit may be set to (a billion keys; a TiB).
    static let most = (keys: 1_000_000_000, bytes: 1 << 40)

    init(section: TOMLSection) throws {
        try section.allow(["max_keys", "max_bytes"])
        self.init()
        if let keys = try section.integer("max_keys") {
            guard (1...Self.most.keys).contains(keys) else {
                throw section.error("max_keys", "must be between 1 and \(Self.most.keys), not \(keys) (default \(KVQuota().maxKeys))")
            }
            maxKeys = keys
        }
        if let bytes = try section.integer("max_bytes") {
            guard (1...Self.most.bytes).contains(bytes) else {
                throw section.error("max_bytes", "must be between 1 and \(Self.most.bytes) bytes, not \(bytes) (default \(KVQuota().maxBytes), 64 MiB)")
            }
            maxBytes = bytes
        }
    }
}

extension ScriptEntry {
    init(name: String, section: TOMLSection) throws {
        try section.allow(["credential", "grants", "shared", "weight", "timeout", "memory", "max_calls", "config"])
        self.init(name: name)
        credential = try section.string("credential")
        grants = try section.strings("grants")
        shared = try section.strings("shared") ?? []
        if let weight = try section.integer("weight") {
            guard (1...1000).contains(weight) else { throw section.error("weight", "must be between 1 and 1000, not \(weight)") }
            self.weight = weight
        }
        timeout = try section.duration("timeout").map { Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18 }
        if let timeout, LuaLimits.deadline(seconds: timeout) == nil {
            throw section.error("timeout", "must be a positive number of seconds, at most \(Int(LuaLimits.maxDeadlineSeconds))")
        }
        memory = try section.integer("memory")
        if let memory, !(1...(1 << 20)).contains(memory) { throw section.error("memory", "must be between 1 and 1048576 MiB") }
        maxCalls = try section.integer("max_calls")
        if let maxCalls, maxCalls < 1 { throw section.error("max_calls", "must be 1 or more API calls per run, not \(maxCalls)") }
        if let settings = try section.section("config") { config = try settings.luaTable() }
    }
}

/// A table of the TOML document with its dotted path, read strictly.
struct TOMLSection {
    let table: TOMLTable
    let path: String
    let file: String

    func key(_ name: String) -> String { path.isEmpty ? name : "\(path).\(name)" }

    func error(_ name: String, _ message: String) -> ConfigurationError {
        ConfigurationError(file: file, message: "\(key(name)) \(message)")
    }

    func allow(_ names: [String]) throws {
        for name in table.keys where !names.contains(name) {
            let hint = NameSuggestion(minimumEdits: 2).nearest(to: name, among: names).map { " (did you mean '\($0)'?)" } ?? ""
            if name == "secret" || name == "api_key" || name == "client_secret" || name == "password" {
                throw error(name, "holds a secret inline; keep secrets out of the file: name an environment variable (secret_env / client_secret_env) or use the vault (`lunas auth`)")
            }
            throw error(name, "is not a known key\(hint); known here: \(names.joined(separator: ", "))")
        }
    }

    private func value(_ name: String) -> TOMLValue? { table[name]?.tomlValue }

    func string(_ name: String) throws -> String? {
        guard let value = value(name) else { return nil }
        guard let text = value.string else { throw error(name, "must be a string") }
        return text
    }

    func strings(_ name: String) throws -> [String]? {
        guard let value = value(name) else { return nil }
        guard let array = value.array else { throw error(name, "must be an array of strings, like [\"a\", \"b\"]") }
        return try array.map { item in
            guard let text = item.tomlValue.string else { throw error(name, "must be an array of strings, like [\"a\", \"b\"]") }
            return text
        }
    }

    func integer(_ name: String) throws -> Int? {
        guard let value = value(name) else { return nil }
        guard let number = value.int else { throw error(name, "must be an integer") }
        return number
    }

    func number(_ name: String) throws -> Double? {
        guard let value = value(name) else { return nil }
        if let number = value.int { return Double(number) }
        guard let number = value.double else { throw error(name, "must be a number") }
        return number
    }

    /// An origin URL: scheme and host, no path (`https://api.scalev.com`).
    func origin(_ name: String) throws -> String? {
        guard let text = try string(name) else { return nil }
        guard let url = URL(string: text), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
            throw error(name, "must be an http(s) origin like https://api.scalev.com, not '\(text)'")
        }
        guard url.path.isEmpty || url.path == "/" else {
            throw error(name, "must be an origin without a path (write https://api.scalev.com, not \(text)): the client adds /v3 itself")
        }
        return text.hasSuffix("/") ? String(text.dropLast()) : text
    }

    /// The whole table as a Lua table, for a script's `config`: strings, integers, floats and
    /// booleans as themselves, dates and times as their TOML text (`2024-05-01`,
    /// `1979-05-27T07:32:00Z`), arrays as arrays, tables as tables. A key that names a secret
    /// (`secret`, `password`, `api_key`, `client_secret`, `token`) is refused: a script's settings
    /// are not for secrets, which belong to credentials.
    func luaTable() throws -> LuaTable {
        var fields: [String: LuaValue] = [:]
        for name in table.keys {
            guard let value = value(name) else { continue }
            fields[name] = try luaValue(value, at: key(name))
        }
        return LuaTable(fields: fields)
    }

    private func luaValue(_ value: TOMLValue, at key: String) throws -> LuaValue {
        if let text = value.string { return .string(LuaString(text)) }
        if let number = value.int { return .integer(Int64(number)) }
        if let number = value.double { return .number(number) }
        if let flag = value.bool { return .boolean(flag) }
        if let date = value.dateTime { return .string(LuaString(date.debugDescription)) }
        if let date = value.date { return .string(LuaString(date.debugDescription)) }
        if let time = value.time { return .string(LuaString(time.debugDescription)) }
        if let array = value.array {
            return .table(LuaTable(array: try array.enumerated().map { index, item in try luaValue(item.tomlValue, at: "\(key)[\(index)]") }))
        }
        if let table = value.table {
            var fields: [String: LuaValue] = [:]
            for name in table.keys {
                if Self.secretNames.contains(name.lowercased()) {
                    throw ConfigurationError(file: file, message: Self.secretInConfig(key + "." + name))
                }
                if let item = table[name]?.tomlValue { fields[name] = try luaValue(item, at: key + "." + name) }
            }
            return .table(LuaTable(fields: fields))
        }
        throw ConfigurationError(file: file, message: "\(key) is a TOML value a script's config cannot hold")
    }

    /// Keys that hold secrets, refused in a script's `config`.
    static let secretNames: Set<String> = ["secret", "password", "api_key", "client_secret", "token"]

    static func secretInConfig(_ key: String) -> String {
        "\(key) looks like a secret; a script's config is readable by the script and not redacted: keep secrets in [credentials.NAME] (secret_env, or the vault with `lunas auth`)"
    }

    /// The table `[name]`, or `nil` when there is none.
    func section(_ name: String) throws -> TOMLSection? {
        guard let value = value(name) else { return nil }
        guard let table = value.table else { throw error(name, "must be a table ([\(key(name))])") }
        return TOMLSection(table: table, path: key(name), file: file)
    }

    func sections(_ name: String) throws -> [(String, TOMLSection)] {
        guard let value = value(name) else { return [] }
        guard let table = value.table else { throw error(name, "must be a table of [\(key(name)).NAME] sections") }
        return try table.keys.sorted().map { child in
            guard let section = table[child]?.tomlValue.table else {
                throw ConfigurationError(file: file, message: "\(key(name)).\(child) must be a table ([\(key(name)).\(child)])")
            }
            return (child, TOMLSection(table: section, path: key(name) + "." + child, file: file))
        }
    }
}
