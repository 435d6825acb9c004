/// The "did you mean …?" of an unknown name: the known name nearest to it by edit distance, when
/// one is close enough to be a misspelling.
public struct NameSuggestion: Sendable {
    /// Whether case, `_` and `-` are ignored (`list_order` is then one edit from `listOrders`).
    public var ignoresCaseAndSeparators: Bool
    /// The edits always allowed; longer names allow up to a third of their length.
    public var minimumEdits: Int

    /// A suggestion rule.
    public init(ignoresCaseAndSeparators: Bool = false, minimumEdits: Int) {
        self.ignoresCaseAndSeparators = ignoresCaseAndSeparators
        self.minimumEdits = minimumEdits
    }

    /// The candidate nearest to `name`, the earlier one on a tie; `nil` when none is within
    /// `max(minimumEdits, name.count / 3)` edits.
    public func nearest(to name: String, among candidates: some Sequence<String>) -> String? {
        let target = comparable(name)
        var best: (name: String, distance: Int)?
        for candidate in candidates {
            let distance = Self.editDistance(target, comparable(candidate))
            if distance < best?.distance ?? .max { best = (candidate, distance) }
        }
        guard let best, best.distance <= max(minimumEdits, target.count / 3) else { return nil }
        return best.name
    }

    /// The Levenshtein distance between two texts: the fewest insertions, deletions and
    /// substitutions that turn one into the other.
    public static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }

    private func comparable(_ text: String) -> [Character] {
        ignoresCaseAndSeparators ? Array(text.lowercased().filter { $0 != "_" && $0 != "-" }) : Array(text)
    }
}
