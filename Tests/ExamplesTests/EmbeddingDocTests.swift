import Foundation
import Testing

/// docs/embedding.md shows the examples as they are compiled: every code block introduced by a
/// line ``From `path`:`` is, its indentation aside, a run of consecutive lines of that file.
@Suite struct EmbeddingDocTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardizedFileURL

    struct Snippet: CustomStringConvertible {
        var file: String
        var line: Int
        var lines: [String]
        var description: String { "docs/embedding.md:\(line) (from \(file))" }
    }

    /// The blocks of the page that name the file they come from.
    static func snippets(in text: String) -> [Snippet] {
        var found: [Snippet] = [], source: String?, current: Snippet?
        for (index, line) in text.components(separatedBy: "\n").enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if var snippet = current {
                if trimmed == "```" {
                    found.append(snippet)
                    current = nil
                } else {
                    snippet.lines.append(line)
                    current = snippet
                }
            } else if trimmed.hasPrefix("```"), let file = source {
                current = Snippet(file: file, line: index + 1, lines: [])
                source = nil
            } else if !trimmed.isEmpty {
                source = trimmed.hasPrefix("From `") && trimmed.hasSuffix("`:")
                    ? String(trimmed.dropFirst("From `".count).dropLast(2)) : nil
            }
        }
        return found
    }

    /// The lines without their common indentation.
    static func dedented(_ lines: ArraySlice<String>) -> [String] {
        let indent = lines.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            .map { $0.prefix { $0 == " " }.count }.min() ?? 0
        return lines.map { $0.trimmingCharacters(in: .whitespaces).isEmpty ? "" : String($0.dropFirst(indent)) }
    }

    @Test func everyExampleShownIsTheCompiledCode() throws {
        let page = try String(contentsOf: Self.root.appendingPathComponent("docs/embedding.md"), encoding: .utf8)
        let snippets = Self.snippets(in: page)
        #expect(snippets.count >= 6, "\(snippets)")
        for snippet in snippets {
            let file = try String(contentsOf: Self.root.appendingPathComponent(snippet.file), encoding: .utf8)
                .components(separatedBy: "\n")
            let wanted = Self.dedented(snippet.lines[...])
            let found = wanted.count <= file.count && (0...(file.count - wanted.count)).contains { start in
                Self.dedented(file[start..<(start + wanted.count)]) == wanted
            }
            #expect(found, "\(snippet) is not the code of \(snippet.file)")
        }
    }
}
