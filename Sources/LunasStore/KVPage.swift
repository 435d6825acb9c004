/// One page of keys, in byte order, and the cursor of the next page.
public struct KVPage: Sendable, Equatable {
    /// The keys of this page.
    public var keys: [String]
    /// Pass it back to get the next page; `nil` when this was the last one.
    public var cursor: String?

    /// A page.
    public init(keys: [String], cursor: String?) {
        self.keys = keys
        self.cursor = cursor
    }
}
