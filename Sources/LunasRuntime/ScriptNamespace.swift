import Foundation

/// The key-value namespace of a script: its path relative to the scripts (or rules) folder that
/// holds it, without `.lua` (`scripts/billing/retry.lua` is `billing/retry`), the same under
/// `lunas run` and `lunas serve`.
///
/// Namespaces are unique: two files that would get the same one from different folders are a
/// load error naming both (``Clash``), and a script outside every folder has none — it needs one
/// given (`--ns NAME`), so that two files that merely share a name never share data.
public enum ScriptNamespace {
    /// The namespace of `file`, relative to the innermost of `folders` that holds it; `nil` when
    /// none does. Relative paths are read from `workingDirectory`.
    public static func name(forScript file: String, folders: [String], workingDirectory: String = FileManager.default.currentDirectoryPath)
        throws -> String?
    {
        guard !folders.isEmpty else { return nil }
        let path = located(file, cwd: workingDirectory)
        let roots = folders.map { (given: $0, path: located($0, cwd: workingDirectory, isFolder: true)) }
        let holders = roots.compactMap { root in relative(path, to: root.path).map { (root, $0) } }
        guard let (home, relativePath) = holders.min(by: { $0.1.count < $1.1.count }) else { return nil }
        let name = relativePath.hasSuffix(".lua") ? String(relativePath.dropLast(4)) : relativePath
        for other in roots where other.path != home.path {
            let twin = other.path + "/" + name + ".lua"
            if twin != path, FileManager.default.fileExists(atPath: twin) {
                throw Clash(namespace: name, files: [file, (other.given as NSString).appendingPathComponent(name + ".lua")])
            }
        }
        return name
    }

    /// Why `file`, outside every one of `folders`, has no namespace, and what to do.
    public static func outside(_ file: String, folders: [String]) -> String {
        let listed = folders.isEmpty ? "no scripts folder is set" : "it is outside " + folders.map { "\($0)/" }.joined(separator: " and ")
        return "\(file) has no kv namespace (\(listed)): pass --ns NAME to give it one, or move it into the scripts folder"
    }

    /// Two files that would share a namespace.
    public struct Clash: Error, CustomStringConvertible, Sendable {
        /// The namespace both would get.
        public let namespace: String
        /// The two files.
        public let files: [String]

        public var description: String {
            "\(files.joined(separator: " and ")) would share the kv namespace '\(namespace)': namespaces are unique across the scripts and rules folders; rename or move one of them"
        }
    }

    /// `path` absolute and standardized, its folder's symbolic links resolved (a folder's own
    /// links too, when `isFolder`), so that one file has one location.
    static func located(_ path: String, cwd: String, isFolder: Bool = false) -> String {
        let full = ((path.hasPrefix("/") ? path : cwd + "/" + path) as NSString).standardizingPath
        if isFolder { return (full as NSString).resolvingSymlinksInPath }
        let folder = ((full as NSString).deletingLastPathComponent as NSString).resolvingSymlinksInPath
        return (folder as NSString).appendingPathComponent((full as NSString).lastPathComponent)
    }

    static func relative(_ path: String, to folder: String) -> String? {
        let base = folder.hasSuffix("/") ? folder : folder + "/"
        return path.hasPrefix(base) && path.count > base.count ? String(path.dropFirst(base.count)) : nil
    }
}
