#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// The last resort behind a run's limits, for a process that runs one script: when the run
/// outlives its deadline by the grace, or the process's resident memory passes the run's cap plus
/// the host's allowance, the process writes why to standard error and exits at once, whatever its
/// threads are doing.
///
/// Hooks stop a run from inside, and some work never reaches one: a garbage-collector phase, a C
/// loop of the standard library, host code. Library code never ends a process by itself: only a
/// host that owns the whole process (`lunas run`) installs a hard stop, with
/// ``Watchdog/install(_:)``; an embedding host that does not install one is never killed.
public struct HardStop: Sendable, Equatable {
    /// The run's deadline; the process ends at the deadline plus ``grace(after:)``. `nil`: none.
    public var deadline: Duration?
    /// The run's memory cap in bytes (`LuaLimits.memory`); `nil`: resident memory is not watched.
    public var memory: Int?
    /// Resident bytes the host may use beyond the cap and beyond what the process holds when the
    /// hard stop is installed: the host's work during the run and the allocator's own overhead.
    public var allowance: Int
    /// The process's exit status when it is stopped.
    public var exitStatus: Int32
    /// What the message on standard error starts with, e.g. `lunas: script.lua: `.
    public var prefix: String

    /// The allowance unless told otherwise: 64 MiB.
    ///
    /// An idle `lunas run` holds about 39 MiB resident when its script starts (a debug build;
    /// counted apart, as the process's resident memory at installation); the allowance covers
    /// what the host does for the script on top of that: host calls' buffers, values copied out
    /// of Lua, the malloc arenas of its threads, the allocator's overhead.
    public static let defaultAllowance = 64 << 20

    /// A hard stop with these values.
    public init(deadline: Duration?, memory: Int?, allowance: Int = defaultAllowance, exitStatus: Int32, prefix: String = "") {
        self.deadline = deadline
        self.memory = memory
        self.allowance = allowance
        self.exitStatus = exitStatus
        self.prefix = prefix
    }

    /// The time a run gets past its deadline before the hard stop: 1 s plus 10 % of the
    /// deadline, at most 10 s.
    public static func grace(after deadline: Duration) -> Duration {
        min(.seconds(1) + deadline / 10, .seconds(10))
    }

    /// How often resident memory is read.
    static let pollInterval = Duration.milliseconds(100)

    /// The process's resident memory in bytes (Linux: `/proc/self/statm`); `nil` where unknown.
    public static func residentBytes() -> Int? {
        statmField(1).map { $0 * Int(sysconf(Int32(_SC_PAGESIZE))) }
    }

    /// Field `index` of `/proc/self/statm`, in pages. Reads with system calls into a stack buffer:
    /// the thread that calls it must not wait on a lock or the heap a stuck thread may hold.
    private static func statmField(_ index: Int) -> Int? {
        #if os(Linux)
        let fd = open("/proc/self/statm", O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 160) { buffer -> Int? in
            let count = read(fd, buffer.baseAddress, buffer.count)
            guard count > 0 else { return nil }
            var field = 0, value = 0, digits = false
            for byte in buffer[0..<count] {
                if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n") {
                    if field == index { return digits ? value : nil }
                    field += 1
                    value = 0
                    digits = false
                } else if byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                    let (times, overflow) = value.multipliedReportingOverflow(by: 10)
                    guard !overflow else { return nil }
                    value = times + Int(byte - UInt8(ascii: "0"))
                    digits = true
                }
            }
            return nil
        }
        #else
        return nil
        #endif
    }

    /// Writes the message with `write(2)` (another thread may hold the lock of standard output
    /// or standard error) and ends the process with `_exit`, running no handlers.
    fileprivate static func end(_ message: [UInt8], status: Int32) -> Never {
        message.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(2, bytes.baseAddress! + offset, bytes.count - offset)
                if written <= 0 { break }
                offset += written
            }
        }
        _exit(status)
    }

    /// Caps the data segment (`RLIMIT_DATA`) at what it holds now plus twice the cap and the
    /// allowance: allocations past it fail instead of growing until the next poll. `RLIMIT_AS`
    /// would fail at random, on the address space glibc reserves for its malloc arenas.
    fileprivate func limitDataSegment() {
        #if os(Linux)
        guard let memory, let pages = Self.statmField(5) else { return }
        let now = pages.multipliedReportingOverflow(by: Int(sysconf(Int32(_SC_PAGESIZE))))
        let extra = (memory.addingReportingOverflow(allowance)).partialValue.multipliedReportingOverflow(by: 2)
        guard !now.overflow, !extra.overflow else { return }
        let (bound, overflow) = now.partialValue.addingReportingOverflow(extra.partialValue)
        guard !overflow else { return }
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_DATA.rawValue), &limit) == 0 else { return }
        if limit.rlim_cur > rlim_t(bound) { // RLIM_INFINITY is the largest value
            limit.rlim_cur = rlim_t(bound)
            _ = setrlimit(Int32(RLIMIT_DATA.rawValue), &limit)
        }
        #endif
    }
}

extension Watchdog {
    /// Installs a hard stop for this process, counting its deadline from now: a thread of its own
    /// ends the process at the deadline plus the grace, and, every 100 ms, when its resident
    /// memory exceeds what it held at installation plus the cap and the allowance. Also caps the
    /// data segment as a last resort. Only for a process that runs one script; it cannot be
    /// removed.
    public func install(_ hardStop: HardStop) {
        let forcedAt = hardStop.deadline.map { ContinuousClock.now + $0 + HardStop.grace(after: $0) }
        let residentBound: Int? = hardStop.memory.flatMap { memory in
            HardStop.residentBytes().flatMap { resident in
                let (sum, overflow) = resident.addingReportingOverflow(memory.addingReportingOverflow(hardStop.allowance).partialValue)
                return overflow ? nil : sum
            }
        }
        guard forcedAt != nil || residentBound != nil else { return }
        hardStop.limitDataSegment()
        let status = hardStop.exitStatus
        let deadlineMessage = Array("\(hardStop.prefix)\(hardStop.deadline.map { LuaLimit.deadline($0).message } ?? "") (forced)\n".utf8)
        let memoryMessage = Array("\(hardStop.prefix)\(hardStop.memory.map { LuaLimit.memory(bytes: $0).message } ?? "") (forced)\n".utf8)
        let thread = Thread {
            while true {
                let now = ContinuousClock.now
                if let forcedAt, now >= forcedAt { HardStop.end(deadlineMessage, status: status) }
                if let residentBound, let resident = HardStop.residentBytes(), resident > residentBound {
                    HardStop.end(memoryMessage, status: status)
                }
                var pause = residentBound == nil ? Duration.seconds(3600) : HardStop.pollInterval
                if let forcedAt { pause = min(pause, forcedAt - now) }
                let (seconds, attoseconds) = pause.components
                var interval = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
                var left = timespec()
                while nanosleep(&interval, &left) != 0 { interval = left }
            }
        }
        thread.name = "lua-hard-stop"
        thread.stackSize = 256 << 10
        thread.start()
    }
}
