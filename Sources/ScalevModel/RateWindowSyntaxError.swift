/// An `N/T` item that is not a ``RateWindow``: the item as written and what is wrong with it.
public struct RateWindowSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The offending item, as written.
    public var item: String
    /// What is wrong and how to write it instead.
    public var reason: String

    /// An error about `item`.
    public init(item: String, reason: String) {
        self.item = item
        self.reason = reason
    }

    /// `item "20/2x": the length "2x" is not a duration ...`
    public var description: String { "item \"\(item)\": \(reason)" }
}
