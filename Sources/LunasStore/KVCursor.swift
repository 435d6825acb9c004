import Foundation

/// The opaque cursor of ``KVPage``: the last key of a page, base64url-encoded.
enum KVCursor {
    static func encode(_ key: String) -> String {
        Data(key.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ cursor: String?) throws -> String {
        guard let cursor, !cursor.isEmpty else { return "" }
        var text = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        guard let data = Data(base64Encoded: text), let key = String(data: data, encoding: .utf8) else {
            throw StoreError.invalidArgument("malformed cursor '\(cursor.prefix(40))': pass back the cursor a page returned")
        }
        return key
    }
}
