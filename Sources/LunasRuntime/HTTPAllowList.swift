/// The hosts a script's `http` may reach, from `[http] allow` in `lunas.toml`.
///
/// An entry is an exact host name (`hooks.slack.com`) or address (`127.0.0.1`, `::1`), a
/// wildcard for the names under a domain (`*.example.com`: `a.example.com` and
/// `a.b.example.com`, not `example.com` itself), or `*` for any host. Names are compared without
/// case and without a trailing dot. Whatever the entry, a host whose addresses include a private,
/// loopback, link-local or otherwise non-public one (``HTTPAddress/isPublic``) is reached only
/// when an exact entry names it: a wildcard never reaches into a private network.
public struct HTTPAllowList: Sendable, Equatable {
    /// How an entry lets a host in.
    public enum Match: Sendable, Equatable {
        /// An exact entry names the host: its private addresses may be reached too.
        case exact
        /// A wildcard (`*.example.com` or `*`) covers it: public addresses only.
        case wildcard
    }

    private let exact: Set<String>
    private let suffixes: [String]
    private let any: Bool

    /// The list of `entries` (as `[http] allow` holds them; malformed ones match nothing).
    public init(_ entries: [String]) {
        var exact: Set<String> = [], suffixes: [String] = [], any = false
        for entry in entries {
            let name = Self.normalized(entry)
            if name == "*" {
                any = true
            } else if name.hasPrefix("*.") {
                suffixes.append(String(name.dropFirst(1)))
            } else {
                exact.insert(name)
            }
        }
        self.exact = exact
        self.suffixes = suffixes
        self.any = any
    }

    /// How the list lets `host` in; `nil` when it does not.
    public func match(_ host: String) -> Match? {
        let name = Self.normalized(host)
        if exact.contains(name) { return .exact }
        if any || suffixes.contains(where: { name.hasSuffix($0) && name.count > $0.count }) { return .wildcard }
        return nil
    }

    /// A host name as the list compares it: lower case, no brackets around an IPv6 address, no
    /// trailing dot.
    static func normalized(_ host: String) -> String {
        var name = host.lowercased()
        if name.hasPrefix("["), name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        if name.hasSuffix("."), name.count > 1 { name.removeLast() }
        return name
    }

    /// What is wrong with an entry of `[http] allow`, or `nil` when it is well formed.
    static func problem(with entry: String) -> String? {
        let name = normalized(entry)
        if name.isEmpty { return "is empty" }
        if name.contains("://") || name.contains("/") {
            return "must be a host name like hooks.slack.com, without a scheme or path"
        }
        if name == "*" || HTTPAddress(name) != nil { return nil }
        let host = name.hasPrefix("*.") ? String(name.dropFirst(2)) : name
        if host.contains(":") { return "must be a host name without a port (any port of an allowed host may be reached)" }
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        let valid = labels.allSatisfy { label in
            !label.isEmpty && label.count <= 63 && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
        guard valid else { return "is not a host name: letters, digits, '-' and dots, optionally starting with '*.'" }
        return nil
    }
}
