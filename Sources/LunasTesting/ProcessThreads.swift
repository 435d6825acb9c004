import Foundation

/// This process's threads by name, from `/proc/self/task/*/comm` (Linux keeps 15 bytes of a
/// name): what tests of "no thread left behind" read.
public enum ProcessThreads {
    /// The names of the threads that start with `prefix`, sorted. The listing is read three
    /// times and the threads seen merged: a listing can miss a thread while another one ends.
    public static func named(_ prefix: String) -> [String] {
        var names: [String: String] = [:]
        for _ in 0..<3 {
            for task in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? [] {
                guard let data = FileManager.default.contents(atPath: "/proc/self/task/\(task)/comm") else { continue }
                names[task] = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .newlines)
            }
        }
        return names.values.filter { $0.hasPrefix(prefix) }.sorted()
    }

    /// Whether no thread named `prefix…` is left. Their owner has joined them already; the
    /// kernel drops a joined thread from `/proc` a moment after the join returns, which nothing
    /// can be awaited for: so a few short looks, within a second.
    public static func end(named prefix: String) async -> Bool {
        for _ in 0..<100 {
            if named(prefix).isEmpty { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return false
    }

    /// The calling thread's name.
    public static var current: String {
        let data = FileManager.default.contents(atPath: "/proc/thread-self/comm") ?? Data()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .newlines)
    }
}
