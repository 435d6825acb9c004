import Foundation
import LunasRuntime
import Synchronization

/// What `lunas test` writes on standard output as specs run: the readable report (each file,
/// a ✓ or ✗ per test, failures with their `file:line` and both values, a summary line), or TAP
/// version 13 with `--tap` (what the specs print becomes `# ` comment lines there).
final class SpecReporter: Sendable {
    let tap: Bool
    private let number = Mutex(0)

    init(tap: Bool) {
        self.tap = tap
    }

    struct Summary {
        var passed = 0
        var failed = 0
        var total: Int { passed + failed }
    }

    /// Where the specs' own `print` and `log` output goes.
    var scriptOutput: ScriptOutput {
        guard tap else { return .standard }
        return ScriptOutput(
            print: { text in
                let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
                let body = (text.hasSuffix("\n") ? lines.dropLast() : lines[...]).map { "# \($0)" }.joined(separator: "\n")
                Self.write(body + "\n")
            },
            log: { FileHandle.standardError.write(Data($0.utf8)) })
    }

    func begin() {
        if tap { Self.write("TAP version 13\n") }
    }

    func file(_ file: String) {
        Self.write(tap ? "# \(file)\n" : "\(file)\n")
    }

    func test(_ result: SpecTestResult) {
        let index = number.withLock { number in
            number += 1
            return number
        }
        if tap {
            Self.write("\(result.passed ? "ok" : "not ok") \(index) - \(Self.tapDescription(result.name))\n")
            if let failure = result.failure { Self.write(Self.yaml(failure)) }
        } else {
            Self.write("  \(result.passed ? "\u{2713}" : "\u{2717}") \(result.name)\(Self.timing(result.duration))\n")
            if let failure = result.failure { Self.write(Self.readable(failure, indent: "      ")) }
        }
    }

    /// After a file: its error outside every test, as one more failed test.
    func finished(_ report: SpecFileReport) {
        guard let error = report.error else { return }
        let name = "\(report.file): error outside a test"
        if tap {
            let index = number.withLock { number in
                number += 1
                return number
            }
            Self.write("not ok \(index) - \(Self.tapDescription(name))\n")
            Self.write(Self.yaml(error))
        } else {
            Self.write("  \u{2717} error outside a test\n")
            Self.write(Self.readable(error, indent: "      "))
        }
    }

    /// The summary line (or TAP's plan and counts); the counts.
    func end(_ reports: [SpecFileReport], duration: Duration) -> Summary {
        var summary = Summary()
        for report in reports {
            for test in report.tests {
                if test.passed { summary.passed += 1 } else { summary.failed += 1 }
            }
            if report.error != nil { summary.failed += 1 }
        }
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        let time = String(format: "%.2f s", seconds)
        let files = "\(reports.count) spec file\(reports.count == 1 ? "" : "s")"
        if tap {
            Self.write("1..\(number.withLock { $0 })\n# pass \(summary.passed)\n# fail \(summary.failed)\n# \(files), \(time)\n")
        } else {
            let failedFiles = reports.filter { !$0.passed }.map(\.file)
            var line = "\n\(summary.passed) passed, \(summary.failed) failed (\(files), \(time))\n"
            if !failedFiles.isEmpty { line += "failed: " + failedFiles.joined(separator: ", ") + "\n" }
            Self.write(line)
        }
        return summary
    }

    private static func timing(_ duration: Duration) -> String {
        let ms = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        return ms >= 100 ? " (\(ms) ms)" : ""
    }

    /// A failure as the readable report shows it: where, what, and the two values.
    static func readable(_ failure: SpecFailure, indent: String) -> String {
        var message = failure.message
        if let location = failure.location, !message.hasPrefix(location) { message = "\(location): \(message)" }
        var text = message.split(separator: "\n", omittingEmptySubsequences: false).map { indent + $0 }.joined(separator: "\n") + "\n"
        if let expected = failure.expected, let actual = failure.actual {
            text += "\(indent)  expected: \(expected)\n\(indent)  actual:   \(actual)\n"
        }
        return text
    }

    /// A failure as TAP 13's YAML diagnostic block.
    static func yaml(_ failure: SpecFailure) -> String {
        var text = "  ---\n  message: \(quoted(failure.message))\n"
        if let location = failure.location { text += "  at: \(quoted(location))\n" }
        if let expected = failure.expected { text += "  expected: \(quoted(expected))\n" }
        if let actual = failure.actual { text += "  actual: \(quoted(actual))\n" }
        return text + "  ...\n"
    }

    /// A test name as a TAP description: `#` escaped (it would start a directive), one line.
    static func tapDescription(_ name: String) -> String {
        name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "#", with: "\\#")
            .replacingOccurrences(of: "\n", with: " ")
    }

    /// A YAML double-quoted scalar.
    private static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 { out += String(format: "\\x%02X", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }

    private static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
