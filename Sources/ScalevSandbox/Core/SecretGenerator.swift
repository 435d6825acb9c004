/// Where the sandbox's keys, passwords, client secrets and tokens come from: the system's secure
/// random source, so that nothing a client sees (the data, the data's seed) tells them; or, when a
/// test asks for known keys (``SandboxConfiguration/keySeed``), a seeded stream.
struct SecretGenerator: RandomNumberGenerator, Sendable {
    private var seeded: SeededGenerator?

    /// Secrets from the system's random source, or from `seed`'s stream when one is given.
    /// (The seed is mixed, so that a key seed equal to the data seed still gives other values.)
    init(seed: UInt64?) { seeded = seed.map { SeededGenerator(seed: $0 ^ 0x5EC2_E75E_C2E7_5EC2) } }

    mutating func next() -> UInt64 {
        guard var stream = seeded else {
            var system = SystemRandomNumberGenerator()
            return system.next()
        }
        defer { seeded = stream }
        return stream.next()
    }

    /// A random (version 4) UUID string, all of its 122 bits from this source.
    mutating func uuid() -> String {
        let high = next(), low = next()
        var bytes = (0..<16).map { index in UInt8(truncatingIfNeeded: (index < 8 ? high : low) >> (8 * (index % 8))) }
        bytes[6] = 0x40 | (bytes[6] & 0x0F)
        bytes[8] = 0x80 | (bytes[8] & 0x3F)
        return Self.uuidText(bytes)
    }
}
