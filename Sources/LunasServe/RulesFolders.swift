import Foundation

/// The rules files under the configured folders: every `*.lua`, searched recursively, named by
/// its path relative to its folder without `.lua` (`vip/paid_orders`) — the name of its
/// `[scripts.NAME]` entry and its `kv` namespace.
struct RulesFolders: Sendable {
    /// The folders, as configured (relative ones to `workingDirectory`).
    var folders: [String]
    /// Where relative folders are.
    var workingDirectory: String

    /// One rules file.
    struct File: Sendable, Equatable {
        /// Its name.
        var script: String
        /// Its path.
        var path: String
    }

    /// The files, sorted by name; a folder that does not exist is an error that names it, and
    /// two files of one name in two folders is one too.
    func files() throws -> [File] {
        var found: [String: File] = [:]
        for folder in folders {
            let root = absolute(folder)
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: root, isDirectory: &isFolder), isFolder.boolValue else {
                throw ServeError("the rules folder '\(folder)' does not exist (\(root)); create it or fix [serve] rules in lunas.toml")
            }
            guard let walker = FileManager.default.enumerator(atPath: root) else { continue }
            for case let relative as String in walker where relative.hasSuffix(".lua") {
                let script = String(relative.dropLast(4))
                let file = File(script: script, path: (root as NSString).appendingPathComponent(relative))
                if let other = found[script] {
                    throw ServeError("two rules files are named '\(script)': \(other.path) and \(file.path); rename one")
                }
                found[script] = file
            }
        }
        return found.values.sorted { $0.script < $1.script }
    }

    /// Where a rules file of this name would be, for a stored version whose file is gone.
    func path(of script: String) -> String {
        (absolute(folders.first ?? "rules") as NSString).appendingPathComponent(script + ".lua")
    }

    private func absolute(_ folder: String) -> String {
        folder.hasPrefix("/") ? folder : (workingDirectory as NSString).appendingPathComponent(folder)
    }
}
