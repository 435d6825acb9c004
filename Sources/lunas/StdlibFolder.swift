import Foundation

enum StdlibFolder {
    /// The folder of shipped Lua modules: `LUNAS_STDLIB`, else `stdlib/` in the working
    /// directory, else the `stdlib/` of the package the executable was built in
    /// (`.build/<config>/lunas`), else `../share/lunas/stdlib` beside an installed executable.
    static var path: String {
        if let configured = ProcessInfo.processInfo.environment["LUNAS_STDLIB"] { return configured }
        let files = FileManager.default
        if files.fileExists(atPath: "stdlib") { return "stdlib" }
        let executable = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
        let binFolder = executable.deletingLastPathComponent()
        let candidates = [
            binFolder.appendingPathComponent("../../../stdlib"),
            binFolder.appendingPathComponent("../../stdlib"),
            binFolder.appendingPathComponent("../share/lunas/stdlib"),
        ]
        return candidates.first { files.fileExists(atPath: $0.path) }?.standardizedFileURL.path ?? "stdlib"
    }
}
