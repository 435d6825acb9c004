import Foundation

/// The key-value namespace of a script: its path relative to the scripts folder, without
/// `.lua` (`scripts/billing/retry.lua` is `billing/retry`), the same under `lunas run` and
/// `lunas serve`.
public enum ScriptNamespace {
    /// The namespace of `file`: relative to `scriptsFolder` when inside it, else relative to the
    /// working directory when inside it, else the file's name.
    public static func name(forScript file: String, scriptsFolder: String? = "scripts") -> String {
        let cwd = FileManager.default.currentDirectoryPath
        let path = absolute(file, cwd: cwd)
        var name: String
        if let scriptsFolder, let relative = relative(path, to: absolute(scriptsFolder, cwd: cwd)) {
            name = relative
        } else if let relative = relative(path, to: cwd) {
            name = relative
        } else {
            name = (path as NSString).lastPathComponent
        }
        if name.hasSuffix(".lua") { name.removeLast(4) }
        return name.isEmpty ? "default" : name
    }

    static func absolute(_ path: String, cwd: String) -> String {
        let full = path.hasPrefix("/") ? path : cwd + "/" + path
        return (full as NSString).standardizingPath
    }

    static func relative(_ path: String, to folder: String) -> String? {
        let base = folder.hasSuffix("/") ? folder : folder + "/"
        return path.hasPrefix(base) ? String(path.dropFirst(base.count)) : nil
    }
}
