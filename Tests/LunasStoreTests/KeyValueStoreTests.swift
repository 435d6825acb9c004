import Foundation
import LunasStore
import LunasTesting
import Testing

/// The key-value semantics, identical on every backend.
@Suite(.timeLimit(.minutes(2))) struct KeyValueStoreTests {
    @Test(arguments: Backend.available)
    func setThenGetReturnsTheValueAndItsVersion(_ backend: Backend) async throws {
        try await withStore(backend) { f in
            #expect(try await f.store.get("missing", in: f.namespace) == nil)
            let version = try await f.store.set("order:1", to: #"{"total":1000,"tags":["vip"]}"#, in: f.namespace)
            let entry = try #require(try await f.store.get("order:1", in: f.namespace))
            #expect(entry.value == #"{"total":1000,"tags":["vip"]}"#)
            #expect(entry.version == version)
            #expect(entry.expiresAt == nil)
        }
    }

    @Test(arguments: Backend.available)
    func everyWriteGetsANewLargerVersionEvenAfterDelete(_ backend: Backend) async throws {
        try await withStore(backend) { f in
            let v1 = try await f.store.set("k", to: "1", in: f.namespace)
            let v2 = try await f.store.set("other", to: "1", in: f.namespace)
            let v3 = try await f.store.set("k", to: "1", in: f.namespace)
            #expect(v1 < v2 && v2 < v3)
            #expect(try await f.store.delete("k", in: f.namespace, fence: nil))
            let v4 = try await f.store.set("k", to: "1", in: f.namespace)
            #expect(v4 > v3)
            // The same value written again is still a new version: a CAS on v1 cannot succeed.
            #expect(try await f.store.compareAndSwap("k", version: v1, to: "2", in: f.namespace, options: .init()) == nil)
        }
    }

    @Test(arguments: Backend.available)
    func addStoresOnlyWhenAbsentAndReplaceOnlyWhenPresent(_ backend: Backend) async throws {
        try await withStore(backend) { (f: StoreFixture) async throws in
            #expect(try await f.store.replace("k", with: "1", in: f.namespace, options: .init()) == nil)
            #expect(try await f.store.get("k", in: f.namespace) == nil)
            #expect(try await f.store.add("k", value: "1", in: f.namespace, options: .init()) != nil)
            #expect(try await f.store.add("k", value: "2", in: f.namespace, options: .init()) == nil)
            #expect(try await f.store.get("k", in: f.namespace)?.value == "1")
            #expect(try await f.store.replace("k", with: "3", in: f.namespace, options: .init()) != nil)
            #expect(try await f.store.get("k", in: f.namespace)?.value == "3")
        }
    }

    @Test(arguments: Backend.available)
    func deleteSaysWhetherTheKeyExisted(_ backend: Backend) async throws {
        try await withStore(backend) { f in
            #expect(try await f.store.delete("k", in: f.namespace, fence: nil) == false)
            try await f.store.set("k", to: "null", in: f.namespace)
            #expect(try await f.store.delete("k", in: f.namespace, fence: nil) == true)
            #expect(try await f.store.get("k", in: f.namespace) == nil)
        }
    }

    @Test(arguments: Backend.available)
    func incrementCountsFromInitialAndRefusesNonIntegers(_ backend: Backend) async throws {
        try await withStore(backend) { f in
            #expect(try await f.store.increment("n", by: 1, initial: 0, in: f.namespace, options: .init()) == 1)
            #expect(try await f.store.increment("n", by: 5, initial: 0, in: f.namespace, options: .init()) == 6)
            #expect(try await f.store.increment("n", by: -10, initial: 0, in: f.namespace, options: .init()) == -4)
            #expect(try await f.store.increment("m", by: 2, initial: 100, in: f.namespace, options: .init()) == 102)
            #expect(try await f.store.get("n", in: f.namespace)?.value == "-4")
            try await f.store.set("s", to: #""text""#, in: f.namespace)
            await #expect(throws: StoreError.notAnInteger(key: "s")) {
                try await f.store.increment("s", by: 1, initial: 0, in: f.namespace, options: .init())
            }
            try await f.store.set("big", to: String(Int64.max), in: f.namespace)
            await #expect(throws: StoreError.integerOverflow(key: "big")) {
                try await f.store.increment("big", by: 1, initial: 0, in: f.namespace, options: .init())
            }
        }
    }

    @Test(arguments: Backend.available)
    func compareAndSwapSwapsOnlyOnTheCurrentVersion(_ backend: Backend) async throws {
        try await withStore(backend) { f in
            #expect(try await f.store.compareAndSwap("k", version: nil, to: "1", in: f.namespace, options: .init()) != nil)
            #expect(try await f.store.compareAndSwap("k", version: nil, to: "2", in: f.namespace, options: .init()) == nil)
            let entry = try #require(try await f.store.get("k", in: f.namespace))
            let swapped = try #require(try await f.store.compareAndSwap("k", version: entry.version, to: "2", in: f.namespace, options: .init()))
            #expect(swapped > entry.version)
            #expect(try await f.store.compareAndSwap("k", version: entry.version, to: "3", in: f.namespace, options: .init()) == nil)
            #expect(try await f.store.get("k", in: f.namespace)?.value == "2")
        }
    }

    @Test(arguments: Backend.available)
    func keysPagesThroughAPrefixInByteOrder(_ backend: Backend) async throws {
        try await withStore(backend) { f in
            for i in [3, 1, 5, 2, 4] { try await f.store.set("order:\(i)", to: "\(i)", in: f.namespace) }
            try await f.store.set("customer:1", to: "1", in: f.namespace)
            try await f.store.set("order", to: "0", in: f.namespace)
            var seen: [String] = []
            var cursor: String?
            var pages = 0
            repeat {
                let page = try await f.store.keys(in: f.namespace, prefix: "order:", limit: 2, cursor: cursor)
                seen += page.keys
                cursor = page.cursor
                pages += 1
            } while cursor != nil && pages < 10
            #expect(seen == ["order:1", "order:2", "order:3", "order:4", "order:5"])
            #expect(pages == 3)
            let all = try await f.store.keys(in: f.namespace, prefix: "", limit: 100, cursor: nil)
            #expect(all.keys == ["customer:1", "order", "order:1", "order:2", "order:3", "order:4", "order:5"])
            #expect(all.cursor == nil)
            await #expect(throws: StoreError.self) {
                try await f.store.keys(in: f.namespace, prefix: "", limit: 10, cursor: "%%%")
            }
        }
    }

    @Test(arguments: Backend.available)
    func namespacesDoNotSeeEachOther(_ backend: Backend) async throws {
        try await withStore(backend) { f in
            let other = f.namespace + "-other"
            try await f.store.set("k", to: "1", in: f.namespace)
            #expect(try await f.store.get("k", in: other) == nil)
            #expect(try await f.store.keys(in: other, prefix: "", limit: 10, cursor: nil).keys.isEmpty)
            #expect(try await f.store.delete("k", in: other, fence: nil) == false)
            #expect(try await f.store.get("k", in: f.namespace)?.value == "1")
        }
    }

    @Test(arguments: Backend.available)
    func valuesOverTheSizeCapAreRefusedWithTheSizes(_ backend: Backend) async throws {
        try await withStore(backend, options: StoreOptions(maxValueBytes: 1024, purgeInterval: nil)) { f in
            let big = "\"" + String(repeating: "x", count: 1100) + "\""
            await #expect(throws: StoreError.valueTooLarge(bytes: 1102, limit: 1024)) {
                try await f.store.set("k", to: big, in: f.namespace)
            }
            #expect(try await f.store.get("k", in: f.namespace) == nil)
            try await f.store.set("k", to: "\"" + String(repeating: "x", count: 1022) + "\"", in: f.namespace)
            #expect(StoreError.valueTooLarge(bytes: 1102, limit: 1024).description.contains("1024-byte limit"))
        }
    }

    @Test(arguments: Backend.available)
    func invalidKeysAreRefused(_ backend: Backend) async throws {
        try await withStore(backend) { f in
            await #expect(throws: StoreError.self) { try await f.store.set("", to: "1", in: f.namespace) }
            await #expect(throws: StoreError.self) { try await f.store.set(String(repeating: "k", count: 2000), to: "1", in: f.namespace) }
            await #expect(throws: StoreError.self) {
                try await f.store.set("k", to: "1", in: f.namespace, options: KVWriteOptions(ttl: .seconds(-1)))
            }
        }
    }

    @Test(arguments: Backend.available)
    func reopeningAppliesNoMigrationTwice(_ backend: Backend) async throws {
        try await withStore(backend) { f in
            let version = try await f.store.schemaVersion()
            #expect(version >= 1)
            try await f.store.set("k", to: "1", in: f.namespace)
            let again = try await f.reopen()
            #expect(try await again.schemaVersion() == version)
            #expect(try await again.get("k", in: f.namespace)?.value == "1")
            await again.close()
        }
    }
}
