import Foundation
import LunasStore
import RateBudget
import ScalevModel
import Testing

/// The ledger's atomic primitive: slots reserved by many connections never overfill a window.
@Suite(.timeLimit(.minutes(2))) struct RateLedgerTests {
    @Test(arguments: Backend.available)
    func reservationsFillAWindowThenMoveToWhenItHasRoom(_ backend: Backend) async throws {
        try await withStore(backend) { f in
            let windows = [RateWindow(length: .seconds(120), limit: 3)]
            let first = try await f.store.reserveSlots(SlotRequest(credential: f.namespace, count: 5, windows: windows))
            #expect(first.count == 5)
            let t0 = first[0]
            #expect(first[2].timeIntervalSince(t0) < 1)                 // three fit at once
            #expect(first[3].timeIntervalSince(t0) >= 120)              // the 4th waits for the 1st to leave
            #expect(first[3].timeIntervalSince(t0) < 121)
            let none = try await f.store.reserveSlots(SlotRequest(credential: f.namespace, count: 1, windows: windows, horizon: .seconds(1)))
            #expect(none.isEmpty)
        }
    }

    @Test(arguments: Backend.available)
    func concurrentReservationsKeepEveryWindowWithinItsLimit(_ backend: Backend) async throws {
        try await withStore(backend) { f in
            let windows = [RateWindow(length: .seconds(10), limit: 100), RateWindow(length: .seconds(3600), limit: 10_000)]
            var stores: [any Store] = []
            for _ in 0..<4 { stores.append(try await f.reopen()) }
            let all = try await withThrowingTaskGroup(of: [Date].self) { group in
                for store in stores {
                    group.addTask {
                        var mine: [Date] = []
                        for _ in 0..<15 {
                            mine += try await store.reserveSlots(SlotRequest(credential: f.namespace, count: 5, windows: windows))
                        }
                        return mine
                    }
                }
                return try await group.reduce(into: [Date]()) { $0 += $1 }
            }
            #expect(all.count == 300)
            let ms = all.map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) }.sorted()
            for i in ms.indices.dropFirst(100) {
                #expect(ms[i] - ms[i - 100] >= 10_000, "101 slots within 10 s at \(i)")
                if ms[i] - ms[i - 100] < 10_000 { break }
            }
            for store in stores { await store.close() }
        }
    }

    @Test(arguments: Backend.available)
    func releasedSlotsFreeTheirWindowAndGrantsReportTheLedger(_ backend: Backend) async throws {
        try await withStore(backend) { f in
            let windows = [RateWindow(length: .seconds(120), limit: 3)]
            let first = try await f.store.reserve(SlotRequest(credential: f.namespace, count: 3, windows: windows))
            #expect(first.times.count == 3)
            #expect(abs(first.now.timeIntervalSince(first.times[0])) < 1)
            // Two of them are given back (one time twice, if it was granted twice): two fit again at once.
            let again = try await f.store.reserve(SlotRequest(
                credential: f.namespace, count: 2, windows: windows, horizon: .seconds(1), releasing: Array(first.times.suffix(2)),
                report: .seconds(60)))
            #expect(again.times.count == 2)
            #expect(again.recent.count == 3)
            let none = try await f.store.reserve(SlotRequest(credential: f.namespace, count: 1, windows: windows, horizon: .seconds(1)))
            #expect(none.times.isEmpty && none.recent.isEmpty)
        }
    }

    @Test(arguments: Backend.available)
    func aLateSendMovesItsSlotToWhereItWasCounted(_ backend: Backend) async throws {
        try await withStore(backend) { f in
            let windows = [RateWindow(length: .seconds(120), limit: 2)]
            let first = try await f.store.reserve(SlotRequest(credential: f.namespace, count: 2, windows: windows))
            #expect(first.times.count == 2)
            // The second send was answered 2 s after its slot: it moves there (a time in the past).
            let answered = first.times[1].addingTimeInterval(2)
            let moved = try await f.store.reserve(SlotRequest(
                credential: f.namespace, count: 1, windows: windows, releasing: [first.times[1]], recording: [answered],
                report: .seconds(300)))
            let ms = { (date: Date) in Int64((date.timeIntervalSince1970 * 1000).rounded()) }
            #expect(moved.recent.map(ms).contains(ms(answered)) || answered > moved.now)
            #expect(!moved.recent.map(ms).contains(ms(first.times[1])) || first.times[0] == first.times[1])
            // The third slot follows the first by the window; one later waits for the moved one.
            let later = try await f.store.reserve(SlotRequest(credential: f.namespace, count: 1, windows: windows))
            let third = try #require(moved.times.first), fourth = try #require(later.times.first)
            #expect(third.timeIntervalSince(first.times[0]) >= 120)
            #expect(fourth.timeIntervalSince(min(answered, moved.now)) >= 119.99)
        }
    }
}
