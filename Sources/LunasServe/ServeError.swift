/// Why the runner cannot do what it was asked: no store, rules folders that cannot be read, an
/// address that is not one. The message says what to fix.
struct ServeError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
