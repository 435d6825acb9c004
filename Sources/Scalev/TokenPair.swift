import Foundation
import ScalevModel

/// An access/refresh token pair as kept in the vault (a small JSON document).
struct TokenPair: Sendable, Equatable {
    var access: String
    var refresh: String
    /// Unix seconds when the access token expires.
    var expiresAt: Double
    /// Unix seconds when the refresh token expires, if known.
    var refreshExpiresAt: Double?

    /// The pair in a token answer: OAuth (`access_token`, `refresh_token`, `expires_in`) or
    /// customer (`access`, `refresh`, `expires_in`, `refresh_expires_in`).
    init?(answer json: JSON, now: Double = Date().timeIntervalSince1970) {
        guard let access = json["access_token"].stringValue ?? json["access"].stringValue,
              let refresh = json["refresh_token"].stringValue ?? json["refresh"].stringValue else { return nil }
        self.access = access
        self.refresh = refresh
        expiresAt = now + Double(json["expires_in"].integerValue ?? 900)
        refreshExpiresAt = json["refresh_expires_in"].integerValue.map { now + Double($0) }
    }

    init(access: String, refresh: String, expiresAt: Double, refreshExpiresAt: Double?) {
        self.access = access
        self.refresh = refresh
        self.expiresAt = expiresAt
        self.refreshExpiresAt = refreshExpiresAt
    }

    /// The pair stored in the vault.
    init?(stored data: Data) {
        guard let json = try? JSON(parsing: Array(data)),
              let access = json["access_token"].stringValue, let refresh = json["refresh_token"].stringValue else { return nil }
        self.access = access
        self.refresh = refresh
        expiresAt = Self.double(json["expires_at"]) ?? 0
        refreshExpiresAt = Self.double(json["refresh_expires_at"])
    }

    private static func double(_ json: JSON) -> Double? {
        switch json {
        case .integer(let value): Double(value)
        case .double(let value): value
        default: nil
        }
    }

    /// The document kept in the vault.
    var stored: Data {
        var members: [String: JSON] = [
            "access_token": .string(access), "refresh_token": .string(refresh), "expires_at": .double(expiresAt),
        ]
        if let refreshExpiresAt { members["refresh_expires_at"] = .double(refreshExpiresAt) }
        return Data(JSON.object(members).encoded())
    }

    func expires(within margin: Duration, now: Double = Date().timeIntervalSince1970) -> Bool {
        expiresAt - margin.seconds <= now
    }
}
