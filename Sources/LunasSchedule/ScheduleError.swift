/// A schedule that cannot be used as written: a cron spec, an `every` duration or a time zone.
///
/// The description says what to fix, naming the field, the token and what is allowed there:
/// `minute field "61": must be 0-59`.
public struct ScheduleError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What is wrong and how to put it right, as one line.
    public let description: String

    /// An error with the given message.
    public init(_ description: String) {
        self.description = description
    }
}
