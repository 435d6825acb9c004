/// A traceback as the script's author reads it: without the frames of the host's own Lua
/// wrappers (chunks named `=lunas.…`, see ``LuaStack/isHostModule(_:)``) and of the C functions
/// they call.
enum ScriptTraceback {
    /// `traceback` (as `luaL_traceback` writes it) without the host's frames.
    static func filter(_ traceback: String) -> String {
        var kept: [Substring] = []
        // from the outermost frame inwards: a frame's caller is the line below it
        var calledByHost = false
        for line in traceback.split(separator: "\n", omittingEmptySubsequences: false).reversed() {
            guard line.hasPrefix("\t") else {
                kept.append(line)
                continue
            }
            let frame = line.dropFirst()
            if isHostFrame(frame) {
                calledByHost = true
            } else if frame.hasPrefix("[C]:") {
                if !calledByHost { kept.append(line) }
            } else {
                if !frame.hasPrefix("...") { calledByHost = false }
                kept.append(line)
            }
        }
        return kept.reversed().joined(separator: "\n")
    }

    /// `lunas.scalev:31: in ...`: a host chunk's short source is its name without the `=`.
    private static func isHostFrame(_ frame: Substring) -> Bool {
        guard frame.hasPrefix("lunas."), let colon = frame.firstIndex(of: ":") else { return false }
        let source = frame[..<colon]
        return !source.contains("/") && !source.hasSuffix(".lua")
    }
}
