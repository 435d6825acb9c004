import Synchronization

/// A read or write of a global variable found in compiled code, for linting.
public struct GlobalAccess: Sendable, Hashable {
    /// The global's name.
    public var name: String
    /// The source line of the access.
    public var line: Int
    /// Whether the access assigns the global.
    public var isWrite: Bool
    /// The fields a read goes on to take from the global with constant names, in order
    /// (`scalev.orders.each` gives `["orders", "each"]`).
    public var fields: [String] = []
}

extension LuaChunk {
    /// Every access to a global variable (`_ENV.name`) in the chunk and its nested functions,
    /// read from the bytecode the host compiled. Accesses through a computed key
    /// (`_ENV[k]`) are not listed.
    public func globalAccesses() -> [GlobalAccess] {
        scan().accesses
    }

    /// Whether the chunk or a nested function takes `_ENV` itself as a value (`pairs(_ENV)`,
    /// `_ENV[k]`, `local env = _ENV`), and so may reach globals it never names; `true` when the
    /// bytecode cannot be read.
    public var readsEnvironment: Bool {
        scan().readsEnvironment
    }

    private func scan() -> (accesses: [GlobalAccess], readsEnvironment: Bool) {
        globalUse.value { readBytecode() }
    }

    private func readBytecode() -> (accesses: [GlobalAccess], readsEnvironment: Bool) {
        var reader = BytecodeReader(bytes: bytecode)
        guard reader.skipHeader() else { return ([], true) }
        _ = reader.byte() // number of upvalues of the main function
        var accesses: [GlobalAccess] = []
        reader.function(into: &accesses)
        return (accesses, reader.readsEnvironment || reader.failed)
    }
}

/// A chunk's global accesses, read from its bytecode on first use and kept.
final class GlobalUseCache: Sendable {
    private let read = Mutex<(accesses: [GlobalAccess], readsEnvironment: Bool)?>(nil)

    func value(_ reading: () -> (accesses: [GlobalAccess], readsEnvironment: Bool)) -> (accesses: [GlobalAccess], readsEnvironment: Bool) {
        if let known = read.withLock({ $0 }) { return known }
        let found = reading()
        read.withLock { $0 = found }
        return found
    }
}

/// Reads Lua 5.4 bytecode as `lua_dump` writes it (lundump.c's format), far enough to find
/// global accesses and their lines.
private struct BytecodeReader {
    let bytes: [UInt8]
    var offset = 0
    var failed = false
    /// Set on a GETUPVAL of an `_ENV` upvalue.
    var readsEnvironment = false

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func byte() -> UInt8 {
        guard offset < bytes.count else {
            failed = true
            return 0
        }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func skip(_ n: Int) {
        offset += n
        if offset > bytes.count { failed = true }
    }

    mutating func size() -> Int {
        var x = 0
        while !failed {
            let b = byte()
            x = (x << 7) | Int(b & 0x7F)
            if b & 0x80 != 0 { break }
        }
        return x
    }

    mutating func string() -> String? {
        let n = size()
        guard n > 0 else { return nil }
        let start = offset
        skip(n - 1)
        guard !failed else { return nil }
        return String(decoding: bytes[start..<(start + n - 1)], as: UTF8.self)
    }

    mutating func skipHeader() -> Bool {
        // signature, version, format, LUAC_DATA, three sizes, LUAC_INT, LUAC_NUM
        guard bytes.count > 32, bytes[0] == 0x1B, bytes[4] == 0x54 else { return false }
        skip(4 + 1 + 1 + 6 + 3 + 8 + 8)
        return !failed
    }

    mutating func function(into accesses: inout [GlobalAccess]) {
        _ = string() // source
        let lineDefined = size()
        _ = size() // last line
        skip(3) // parameters, vararg, stack size
        let codeCount = size()
        var code: [UInt32] = []
        code.reserveCapacity(codeCount)
        for _ in 0..<codeCount where !failed {
            let b0 = UInt32(byte()), b1 = UInt32(byte()), b2 = UInt32(byte()), b3 = UInt32(byte())
            code.append(b0 | b1 << 8 | b2 << 16 | b3 << 24)
        }
        var constants: [String?] = []
        for _ in 0..<size() where !failed {
            switch byte() {
            case 0x03, 0x13: skip(8) // integer, float
            case 0x04, 0x14: constants.append(string()); continue
            default: break // nil, false, true
            }
            constants.append(nil)
        }
        let upvalueCount = size()
        skip(upvalueCount * 3)
        var nested: [GlobalAccess] = []
        for _ in 0..<size() where !failed { function(into: &nested) }
        // debug information
        let lineInfo = (0..<size()).map { _ in Int8(bitPattern: byte()) }
        var absolute: [Int: Int] = [:]
        for _ in 0..<size() where !failed {
            let pc = size()
            absolute[pc] = size()
        }
        for _ in 0..<size() where !failed { // local variables
            _ = string()
            _ = size()
            _ = size()
        }
        let upvalueNames = (0..<size()).map { _ in string() }
        guard !failed else { return }
        let env = Set(upvalueNames.indices.filter { upvalueNames[$0] == "_ENV" })
        var line = lineDefined
        for (pc, instruction) in code.enumerated() {
            if pc < lineInfo.count {
                if let abs = absolute[pc] { line = abs } else if lineInfo[pc] != -128 { line += Int(lineInfo[pc]) }
            }
            let opcode = instruction & 0x7F
            let a = Int((instruction >> 7) & 0xFF), b = Int((instruction >> 16) & 0xFF), c = Int((instruction >> 24) & 0xFF)
            switch opcode {
            case 9 where env.contains(b): // GETUPVAL A B: R[A] := UpValue[B]
                readsEnvironment = true
            case 11 where env.contains(b): // GETTABUP A B C: R[A] := UpValue[B][K[C]]
                if c < constants.count, let name = constants[c] {
                    accesses.append(GlobalAccess(name: name, line: line, isWrite: false, fields: Self.fields(from: a, after: pc, in: code, constants)))
                }
            case 15 where env.contains(a): // SETTABUP A B C: UpValue[A][K[B]] := RK(C)
                if b < constants.count, let name = constants[b] { accesses.append(GlobalAccess(name: name, line: line, isWrite: true)) }
            default: break
            }
        }
        accesses += nested
    }

    /// The constant field names read in a chain from register `register` right after `pc`
    /// (GETFIELD A B C: R[A] := R[B][K[C]], each reading the register the one before wrote).
    static func fields(from register: Int, after pc: Int, in code: [UInt32], _ constants: [String?]) -> [String] {
        var fields: [String] = []
        var register = register
        var next = pc + 1
        while next < code.count, code[next] & 0x7F == 14 {
            let instruction = code[next]
            let a = Int((instruction >> 7) & 0xFF), b = Int((instruction >> 16) & 0xFF), c = Int((instruction >> 24) & 0xFF)
            guard b == register, c < constants.count, let name = constants[c] else { break }
            fields.append(name)
            register = a
            next += 1
        }
        return fields
    }
}
