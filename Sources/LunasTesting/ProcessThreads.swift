import Foundation

/// This process's live threads by name, from `/proc/self/task` (Linux keeps 15 bytes of a
/// name): what tests of "no thread left behind" read.
public enum ProcessThreads {
    /// The names of the live threads that start with `prefix`, sorted. A thread that is exiting
    /// is not live: once joined it has begun its exit (the kernel's `PF_EXITING`), though `/proc`
    /// may list it a moment longer. The listing is read three times and the threads seen
    /// merged: a listing can miss a thread while another one ends.
    public static func named(_ prefix: String) -> [String] {
        var names: [String: String] = [:]
        for _ in 0..<3 {
            for task in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? [] {
                guard let name = contents("/proc/self/task/\(task)/comm"), name.hasPrefix(prefix),
                      let stat = contents("/proc/self/task/\(task)/stat"), isLive(stat: stat) else { continue }
                names[task] = name
            }
        }
        return names.values.sorted()
    }

    /// Whether no live thread named `prefix…` is left.
    public static func gone(named prefix: String) -> Bool {
        named(prefix).isEmpty
    }

    /// The calling thread's name.
    public static var current: String {
        contents("/proc/thread-self/comm") ?? ""
    }

    /// Whether a task's `stat` line says it runs: not a zombie or dead, and not exiting (field 9,
    /// the flags, without `PF_EXITING`). The fields start after the name's closing parenthesis.
    private static func isLive(stat: String) -> Bool {
        guard let close = stat.lastIndex(of: ")") else { return false }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 6, let flags = UInt64(fields[6]) else { return false }
        let exiting: UInt64 = 0x4
        return fields[0] != "Z" && fields[0] != "X" && flags & exiting == 0
    }

    private static func contents(_ path: String) -> String? {
        FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .newlines) }
    }
}
