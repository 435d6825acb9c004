/// A setup mistake reported as `lunas: message` with exit code 2.
struct ValidationFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
