import ScalevModel

/// The bounds the sandbox holds the numbers of requests to, and their checked readings. Every
/// amount and count it accepts keeps each total it computes from them (an order's lines, its
/// revenue, a shipping quote) far inside `Int`; anything else is a 422 naming the field.
enum RequestNumbers {
    /// The largest money amount, in rupiah, a request may give (Rp 1 trillion).
    static let maxAmount = 1_000_000_000_000
    /// The most of one item an order may hold.
    static let maxQuantity = 10_000
    /// The most lines (variants and bundles together) one order may hold.
    static let maxLines = 100
    /// The heaviest parcel a shipping quote is given for, in grams (1,000 tonnes).
    static let maxWeight = 1_000_000_000

    /// The whole rupiah of a money amount (a number or a numeric string; the fraction dropped),
    /// between `minimum` and ``maxAmount``.
    static func amount(_ value: JSON, _ field: String, minimum: Int = -maxAmount) throws -> Int {
        guard let number = value.doubleValue, number >= Double(minimum), number <= Double(maxAmount) else {
            throw APIError.invalid(field, "must be a number between \(minimum) and \(maxAmount)")
        }
        return Int(number.rounded(.towardZero))
    }

    /// An integer between the bounds of `range`.
    static func integer(_ value: JSON, _ field: String, in range: ClosedRange<Int>) throws -> Int {
        guard let number = value.intValue, range.contains(number) else {
            throw APIError.invalid(field, "must be an integer between \(range.lowerBound) and \(range.upperBound)")
        }
        return number
    }

    /// The field errors of a checked reading, for handlers that report every field at once.
    static func fieldErrors(_ reading: () throws -> Void) -> [APIError.FieldError] {
        do {
            try reading()
            return []
        } catch let error as APIError {
            return error.fieldErrors
        } catch {
            return []
        }
    }
}
