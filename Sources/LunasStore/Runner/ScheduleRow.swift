import Foundation

/// A schedule as stored: its definition, the last slot a runner fired, and what came of it.
public struct ScheduleRow: Sendable, Equatable {
    /// The registration name.
    public var name: String
    /// The rules file.
    public var script: String
    /// `cron` or `every`.
    public var kind: String
    /// The cron expression or the interval.
    public var spec: String
    /// The IANA time zone.
    public var zone: String
    /// The newest slot fired (`nil`: never fired).
    public var lastSlot: Date?
    /// Whether it is paused (`lunas schedules pause`).
    public var paused: Bool
    /// How many slots were missed and not run (catch-up `skip`).
    public var missed: Int
    /// How many slots were not run because the previous run was still going (overlap `skip`).
    public var overlapSkipped: Int
    /// The outcome of its latest run.
    public var lastOutcome: String?
    /// Its latest run.
    public var lastRunID: Int64?
    /// When the row last changed.
    public var updatedAt: Date

    /// A schedule row.
    public init(
        name: String, script: String, kind: String, spec: String, zone: String, lastSlot: Date?, paused: Bool,
        missed: Int, overlapSkipped: Int, lastOutcome: String?, lastRunID: Int64?, updatedAt: Date
    ) {
        self.name = name
        self.script = script
        self.kind = kind
        self.spec = spec
        self.zone = zone
        self.lastSlot = lastSlot
        self.paused = paused
        self.missed = missed
        self.overlapSkipped = overlapSkipped
        self.lastOutcome = lastOutcome
        self.lastRunID = lastRunID
        self.updatedAt = updatedAt
    }

    /// Its definition.
    public var definition: ScheduleDefinition {
        ScheduleDefinition(name: name, script: script, kind: kind, spec: spec, zone: zone)
    }
}
