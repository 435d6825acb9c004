// The store's records of the runner, as ``RunnerData`` gives them: a host reads run history,
// jobs and schedules through LunasServe alone.
@_exported import struct LunasStore.JobQuery
@_exported import struct LunasStore.JobRow
@_exported import enum LunasStore.JobState
@_exported import struct LunasStore.RunLogRow
@_exported import struct LunasStore.RunQuery
@_exported import struct LunasStore.RunRow
@_exported import struct LunasStore.ScheduleRow
