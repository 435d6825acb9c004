/// SplitMix64: a small, fast, deterministic random source, so a seed number always yields the same
/// data, ids and tokens.
struct SeededGenerator: RandomNumberGenerator, Sendable, Codable {
    private var state: UInt64

    init(seed: UInt64) { state = seed ^ 0x9E37_79B9_7F4A_7C15 }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A UUIDv7 whose timestamp is `epoch` (so ids sort by creation time).
    mutating func uuidV7(epoch: Double) -> String {
        let millis = UInt64(max(0, epoch * 1000))
        let random = next()
        let random2 = next()
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: millis >> (8 * (5 - index))) }
        for index in 6..<16 {
            let source = index < 11 ? random : random2
            bytes[index] = UInt8(truncatingIfNeeded: source >> (8 * (index % 8)))
        }
        bytes[6] = 0x70 | (bytes[6] & 0x0F)
        bytes[8] = 0x80 | (bytes[8] & 0x3F)
        return Self.uuidText(bytes)
    }

    /// A random (version 4) UUID string.
    mutating func uuidV4() -> String {
        var generator = self
        let text = uuidV7(epoch: Double(generator.next() % 4_000_000_000))
        self = generator
        let start = text.index(text.startIndex, offsetBy: 14)
        return text.replacingCharacters(in: start...start, with: "4")
    }
}

extension RandomNumberGenerator {
    /// `count` characters from `alphabet`.
    mutating func string(_ count: Int, alphabet: String = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") -> String {
        let characters = Array(alphabet)
        return String((0..<count).map { _ in characters[Int(next() % UInt64(characters.count))] })
    }

    /// The text of 16 UUID bytes: lowercase hex, grouped 8-4-4-4-12.
    static func uuidText(_ bytes: [UInt8]) -> String {
        let hex = bytes.map { byte in
            let text = String(byte, radix: 16)
            return byte < 16 ? "0" + text : text
        }
        return hex[0..<4].joined() + "-" + hex[4..<6].joined() + "-" + hex[6..<8].joined() + "-"
            + hex[8..<10].joined() + "-" + hex[10..<16].joined()
    }
}
