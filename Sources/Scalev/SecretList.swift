import Foundation
import Synchronization

/// The secrets a client has put or may put on the wire, for redaction. Tokens that rotate are
/// added as they are seen; the last few of each kind are kept.
final class SecretList: Sendable {
    private let values: Mutex<[String]>

    init(_ initial: [String]) { values = Mutex(initial.filter { !$0.isEmpty }) }

    func add(_ secrets: String...) {
        values.withLock { list in
            for secret in secrets where !secret.isEmpty && !list.contains(secret) { list.append(secret) }
            if list.count > 64 { list.removeFirst(list.count - 64) }
        }
    }

    var all: [String] { values.withLock { $0 } }

    /// `text` with every known secret replaced by `[redacted]`.
    func redact(_ text: String) -> String {
        var text = text
        for secret in all.sorted(by: { $0.count > $1.count }) where secret.count >= 6 && text.contains(secret) {
            text = text.replacingOccurrences(of: secret, with: "[redacted]")
        }
        return text
    }
}
