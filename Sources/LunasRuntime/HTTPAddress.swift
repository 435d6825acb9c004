#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOPosix

/// An IP address a script's `http` call would connect to, and whether it is public.
public struct HTTPAddress: Sendable, Hashable, CustomStringConvertible {
    /// The address's bytes: 4 for IPv4, 16 for IPv6.
    public let bytes: [UInt8]

    /// The address written as `text` (`10.0.0.1`, `::1`, `[fe80::1]`); `nil` when it is not one.
    public init?(_ text: String) {
        var text = text
        if text.hasPrefix("["), text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            bytes = withUnsafeBytes(of: &v4) { Array($0) }
            return
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            bytes = withUnsafeBytes(of: &v6) { Array($0) }
            return
        }
        return nil
    }

    init(bytes: [UInt8]) { self.bytes = bytes }

    /// Whether it is IPv6.
    public var isIPv6: Bool { bytes.count == 16 }

    /// Written the usual way (`10.0.0.1`, `::1`).
    public var description: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        var copy = bytes
        let family = isIPv6 ? AF_INET6 : AF_INET
        guard inet_ntop(family, &copy, &buffer, socklen_t(buffer.count)) != nil else { return "?" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The address as a URL's host: IPv6 in brackets.
    var urlHost: String { isIPv6 ? "[\(description)]" : description }

    /// Whether the address is on the public internet: not unspecified (`0.0.0.0`, `::`), loopback
    /// (127/8, `::1`), private (10/8, 172.16/12, 192.168/16, fc00::/7), shared (100.64/10),
    /// link-local (169.254/16, fe80::/10), site-local (fec0::/10), multicast, reserved or
    /// broadcast, nor one of those inside an IPv4-mapped (`::ffff:10.0.0.1`), IPv4-compatible,
    /// NAT64 (64:ff9b::/96) or 6to4 (2002::/16) IPv6 address.
    public var isPublic: Bool {
        if !isIPv6 { return Self.isPublicIPv4(bytes) }
        let b = bytes
        if b[0..<10].allSatisfy({ $0 == 0 }) && b[10] == 0xff && b[11] == 0xff { return Self.isPublicIPv4(Array(b[12...])) } // ::ffff:a.b.c.d
        if b[0..<12].allSatisfy({ $0 == 0 }) { return false } // ::, ::1, IPv4-compatible (deprecated)
        if b[0] == 0x00, b[1] == 0x64, b[2] == 0xff, b[3] == 0x9b, b[4..<12].allSatisfy({ $0 == 0 }) {
            return Self.isPublicIPv4(Array(b[12...])) // 64:ff9b::/96
        }
        if b[0] == 0x20, b[1] == 0x02 { return Self.isPublicIPv4(Array(b[2..<6])) } // 2002::/16
        if b[0] & 0xfe == 0xfc { return false } // fc00::/7 unique local
        if b[0] == 0xfe, b[1] & 0xc0 == 0x80 { return false } // fe80::/10 link-local
        if b[0] == 0xfe, b[1] & 0xc0 == 0xc0 { return false } // fec0::/10 site-local
        if b[0] == 0xff { return false } // multicast
        if b[0] == 0x20, b[1] == 0x01, b[2] == 0x0d, b[3] == 0xb8 { return false } // 2001:db8::/32 documentation
        if b[0] == 0x01, b[1..<8].allSatisfy({ $0 == 0 }) { return false } // 100::/64 discard
        return true
    }

    private static func isPublicIPv4(_ b: [UInt8]) -> Bool {
        switch (b[0], b[1]) {
        case (0, _), (10, _), (127, _): return false
        case (100, 64...127): return false // shared address space (carrier-grade NAT)
        case (169, 254): return false
        case (172, 16...31): return false
        case (192, 168): return false
        case (192, 0) where b[2] == 0 || b[2] == 2: return false // IETF protocol assignments, TEST-NET-1
        case (198, 18...19): return false // benchmarking
        case (198, 51) where b[2] == 100: return false // TEST-NET-2
        case (203, 0) where b[2] == 113: return false // TEST-NET-3
        case (224...255, _): return false // multicast, reserved, broadcast
        default: return true
        }
    }

    /// The addresses `host` resolves to (a literal address: itself), looked up on NIO's thread
    /// pool so that no task thread blocks on the resolver.
    static func resolve(_ host: String) async throws -> [HTTPAddress] {
        if let literal = HTTPAddress(host) { return [literal] }
        return try await NIOThreadPool.singleton.runIfActive { try lookUp(host) }
    }

    struct LookupError: Error, CustomStringConvertible {
        let description: String
    }

    private static func lookUp(_ host: String) throws -> [HTTPAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        guard status == 0, let first = list else {
            throw LookupError(description: "cannot resolve '\(host)' (\(String(cString: gai_strerror(status))))")
        }
        defer { freeaddrinfo(first) }
        var found: [HTTPAddress] = []
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let current = entry {
            if let address = current.pointee.ai_addr {
                switch Int32(address.pointee.sa_family) {
                case AF_INET:
                    let bytes = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                        withUnsafeBytes(of: pointer.pointee.sin_addr) { Array($0) }
                    }
                    found.append(HTTPAddress(bytes: bytes))
                case AF_INET6:
                    let bytes = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                        withUnsafeBytes(of: pointer.pointee.sin6_addr) { Array($0) }
                    }
                    found.append(HTTPAddress(bytes: bytes))
                default:
                    break
                }
            }
            entry = current.pointee.ai_next
        }
        var unique: [HTTPAddress] = []
        for address in found where !unique.contains(address) { unique.append(address) }
        guard !unique.isEmpty else { throw LookupError(description: "cannot resolve '\(host)' (no address)") }
        return unique
    }
}
