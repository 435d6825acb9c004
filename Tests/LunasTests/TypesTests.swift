import Foundation
import LunasRuntime
import Testing

/// `types/lunas.lua` (LuaLS definitions) against the host: every global a script can read and
/// every field of Lunas' modules and of the stdlib modules is declared, and nothing declared is
/// missing from the host.
@Suite("types/lunas.lua matches the host")
struct TypesTests {
    static let root = LunasBinary.packageRoot

    /// What the definitions file declares: paths (`scalev.orders.each`) and classes with their fields.
    struct Declarations {
        var paths: Set<String> = []
        var classes: [String: [(name: String, type: String)]] = [:]

        init(_ text: String) {
            var currentClass: String?
            for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
                let line = String(raw)
                if line.hasPrefix("---@class ") {
                    currentClass = line.dropFirst("---@class ".count).split(separator: " ").first.map(String.init)
                    if let currentClass { classes[currentClass] = [] }
                    continue
                }
                if line.hasPrefix("---@field "), let owner = currentClass {
                    let parts = line.dropFirst("---@field ".count).split(separator: " ", maxSplits: 1).map(String.init)
                    if let name = parts.first {
                        classes[owner, default: []].append((name.hasSuffix("?") ? String(name.dropLast()) : name, parts.count > 1 ? parts[1] : ""))
                    }
                    continue
                }
                if line.hasPrefix("---@") { continue }
                currentClass = nil
                if let path = Self.path(in: line) { paths.insert(path) }
            }
        }

        /// `function a.b(` or `a.b =` at the start of a line.
        static func path(in line: String) -> String? {
            let identifier = #"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*"#
            for pattern in ["^function (\(identifier))\\s*\\(", "^(\(identifier))\\s*="] {
                if let match = line.range(of: pattern, options: .regularExpression) {
                    let text = String(line[match])
                    let name = text.hasPrefix("function ") ? text.dropFirst(9) : Substring(text)
                    return String(name.prefix { $0 != "(" && $0 != " " && $0 != "=" })
                }
            }
            return nil
        }

        /// The fields of class `name`, a field whose type is another class expanded (`sandbox.reset`).
        func fields(of name: String, depth: Int = 0) -> Set<String> {
            var found = Set<String>()
            for (field, type) in classes[name] ?? [] {
                found.insert(field)
                let typeName = String(type.prefix { !$0.isWhitespace })
                if depth < 3, typeName != name, typeName.hasPrefix(name + "."), classes[typeName] != nil {
                    for sub in fields(of: typeName, depth: depth + 1) { found.insert(field + "." + sub) }
                }
            }
            return found
        }
    }

    static func declarations() throws -> Declarations {
        Declarations(try String(contentsOf: root.appendingPathComponent("types/lunas.lua"), encoding: .utf8))
    }

    /// The globals of a sandboxed run that Lunas adds (not Lua's own, nor the host's `__` internals).
    static func lunasGlobals() throws -> Set<String> {
        let bare = try LuaState(profile: .sandboxed)
        let listed = try bare.call("local n = {} for k in pairs(_G) do n[#n + 1] = k end return table.concat(n, ' ')")
        let standard = Set((listed.first?.stringValue ?? "").split(separator: " ").map(String.init))
        return ScriptGlobals.sandboxed.subtracting(standard).filter { !$0.hasPrefix("__") }
    }

    /// Field paths of the given globals and stdlib modules, read in a real run: `global.field`, `lunas.x.field`.
    static func walk(globals: [String], modules: [String]) async throws -> Set<String> {
        let script = """
            local out, args = {}, { ... }
            local function walk(t, prefix, depth)
              pcall(function()
                for k, v in pairs(t) do
                  if type(k) == "string" then
                    out[#out + 1] = prefix .. k
                    if type(v) == "table" and depth < 3 and getmetatable(v) == nil then walk(v, prefix .. k .. ".", depth + 1) end
                  end
                end
              end)
            end
            for _, name in ipairs(args) do
              local module = name:match("^require:(.*)$")
              if module then walk(require(module), module .. ".", 1)
              elseif type(_G[name]) == "table" then walk(_G[name], name .. ".", 1) end
            end
            return table.concat(out, "\\n")
            """
        let runtime = Runtime(configuration: RuntimeConfiguration(stdlibFolder: root.appendingPathComponent("stdlib").path, scriptsFolder: nil))
        var options = ScriptOptions()
        options.arguments = globals + modules.map { "require:" + $0 }
        let result = await runtime.run(RunRequest(source: .text(script, chunkName: "walk.lua"), options: options, output: RunTranscript().output))
        await runtime.shutdown()
        guard case .ok(let values) = result.outcome else {
            Issue.record("the walk failed: \(result.outcome)")
            return []
        }
        return Set((values.first?.stringValue ?? "").split(separator: "\n").map(String.init))
    }

    @Test("every global Lunas adds is declared, and every declared global exists")
    func globals() throws {
        let declared = try Self.declarations()
        let topLevel = Set(declared.paths.map { String($0.prefix { $0 != "." }) })
        let host = try Self.lunasGlobals()
        #expect(host.contains("scalev") && host.contains("on"), "\(host)")
        let undeclared = host.subtracting(topLevel).sorted()
        #expect(undeclared.isEmpty, "globals of the host missing from types/lunas.lua: \(undeclared)")
        let unknown = topLevel.subtracting(ScriptGlobals.sandboxed).sorted()
        #expect(unknown.isEmpty, "types/lunas.lua declares globals the host does not have: \(unknown)")
    }

    @Test("the fields of every Lunas module are declared, and nothing more")
    func moduleFields() async throws {
        let declared = try Self.declarations()
        let globals = try Self.lunasGlobals().sorted()
        let known = ScriptGlobals(profile: .sandboxed).fields
        let walked = try await Self.walk(globals: globals.filter { known[$0] == nil && $0 != "arg" }, modules: [])
        for global in globals where global != "arg" {
            let host: Set<String> = known[global] ?? Set(walked.filter { $0.hasPrefix(global + ".") }.map { String($0.dropFirst(global.count + 1)) })
            let types = Set(declared.paths.filter { $0.hasPrefix(global + ".") }.map { String($0.dropFirst(global.count + 1)) })
            #expect(host.subtracting(types).isEmpty, "\(global): fields missing from types/lunas.lua: \(host.subtracting(types).sorted())")
            #expect(types.subtracting(host).isEmpty, "\(global): types/lunas.lua declares fields the host lacks: \(types.subtracting(host).sorted())")
        }
        #expect(known["scalev"]?.contains("orders.each") == true)
    }

    @Test("every stdlib module is a class whose fields are the module's")
    func stdlibModules() async throws {
        let declared = try Self.declarations()
        let folder = Self.root.appendingPathComponent("stdlib/lunas")
        let modules = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".lua") }
            .map { "lunas." + $0.dropLast(4) }.sorted()
        #expect(modules.contains("lunas.test") && modules.contains("lunas.money"))
        let walked = try await Self.walk(globals: [], modules: modules)
        for module in modules {
            #expect(declared.classes[module] != nil, "types/lunas.lua declares no ---@class \(module)")
            let host = Set(walked.filter { $0.hasPrefix(module + ".") }.map { String($0.dropFirst(module.count + 1)) })
            let types = declared.fields(of: module)
            #expect(host.subtracting(types).isEmpty, "\(module): fields missing from types/lunas.lua: \(host.subtracting(types).sorted())")
            #expect(types.subtracting(host).isEmpty, "\(module): types/lunas.lua declares fields the module lacks: \(types.subtracting(host).sorted())")
        }
        let classModules = Set(declared.classes.keys.filter { $0.hasPrefix("lunas.") && $0.split(separator: ".").count == 2 && $0 != "lunas.Money" && $0 != "lunas.RoundingMode" })
        #expect(classModules.subtracting(modules).isEmpty, "classes without a stdlib module: \(classModules.subtracting(modules).sorted())")
    }
}
