import Foundation
import LunasStore
import LunasTesting
import Testing

/// Contention between several connections to one database (each its own pool, as separate
/// processes would have). The process-level versions are in LunasTests.
@Suite(.timeLimit(.minutes(2))) struct ContentionTests {
    static let writers = 8

    @Test(arguments: Backend.available)
    func concurrentIncrementsLoseNothing(_ backend: Backend) async throws {
        try await withStore(backend) { f in
            let stores = try await Self.connections(f)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for store in stores {
                    group.addTask {
                        for _ in 0..<100 { _ = try await store.increment("n", by: 1, initial: 0, in: f.namespace, options: .init()) }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await f.store.get("n", in: f.namespace)?.value == String(Self.writers * 100))
            for store in stores { await store.close() }
        }
    }

    @Test(arguments: Backend.available)
    func compareAndSwapNeverLetsTwoWinnersThrough(_ backend: Backend) async throws {
        try await withStore(backend) { f in
            let stores = try await Self.connections(f)
            try await f.store.set("n", to: "0", in: f.namespace)
            // Each writer does read-modify-write with CAS, retrying on conflict: a lost update
            // (two winners on one version) would leave the total short.
            let wins = try await withThrowingTaskGroup(of: Int.self) { group in
                for store in stores {
                    group.addTask {
                        var wins = 0
                        while wins < 25 {
                            guard let entry = try await store.get("n", in: f.namespace), let n = Int(entry.value) else { continue }
                            if try await store.compareAndSwap("n", version: entry.version, to: String(n + 1), in: f.namespace, options: .init()) != nil {
                                wins += 1
                            }
                        }
                        return wins
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(wins == Self.writers * 25)
            #expect(try await f.store.get("n", in: f.namespace)?.value == String(Self.writers * 25))
            for store in stores { await store.close() }
        }
    }

    @Test(arguments: Backend.available)
    func exactlyOneContenderGetsALock(_ backend: Backend) async throws {
        try await withStore(backend) { f in
            let stores = try await Self.connections(f)
            for round in 0..<5 {
                let winners = try await withThrowingTaskGroup(of: KVLock?.self) { group in
                    for (i, store) in stores.enumerated() {
                        group.addTask { try await store.acquireLock("l\(round)", in: f.namespace, ttl: .seconds(30), owner: "w\(i)") }
                    }
                    return try await group.compactMap { $0 }.reduce(into: [KVLock]()) { $0.append($1) }
                }
                #expect(winners.count == 1, "round \(round): \(winners.count) winners")
            }
            for store in stores { await store.close() }
        }
    }

    static func connections(_ f: StoreFixture) async throws -> [any Store] {
        var stores: [any Store] = []
        for _ in 0..<writers { stores.append(try await f.reopen()) }
        return stores
    }
}
