// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "lunas",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "LuaKit", targets: ["LuaKit"]),
        .library(name: "LunasRuntime", targets: ["LunasRuntime"]),
        .library(name: "ScalevSandbox", targets: ["ScalevSandbox"]),
        .library(name: "LunasStore", targets: ["LunasStore"]),
        .library(name: "Scalev", targets: ["Scalev"]),
        .library(name: "RateBudget", targets: ["RateBudget"]),
        .library(name: "LunasTesting", targets: ["LunasTesting"]),
        .library(name: "LunasClock", targets: ["LunasClock"]),
        .library(name: "LunasSchedule", targets: ["LunasSchedule"]),
        .library(name: "LunasServe", targets: ["LunasServe"]),
        .library(name: "LunasExamples", targets: ["LunasExamples"]),
        .executable(name: "lunas", targets: ["lunas"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        // Lua 5.4 from the system (Debian: liblua5.4-dev) and the C side of the binding.
        .systemLibrary(name: "CLuaSystem", pkgConfig: "lua5.4", providers: [.apt(["liblua5.4-dev"])]),
        .target(name: "CLua", dependencies: ["CLuaSystem"]),
        // Swift <-> Lua, knowing nothing of commerce.
        .target(name: "LuaKit", dependencies: ["CLua"]),
        // The time everything reads: the system's, or a test's that advances on command.
        .target(name: "LunasClock"),
        // Cron specs and `every` durations: their next fire times in an IANA zone (Foundation only).
        .target(name: "LunasSchedule"),
        // The one database layer: KV, vault, budget ledger (RateBudget's), jobs; SQLite or PostgreSQL.
        .target(name: "LunasStore", dependencies: [
            "LunasClock", "RateBudget",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The Scalev model that the client and the sandbox share: the JSON value and its codec, the
        // parsed v3 operation catalog, the N/T rate windows, the webhook signature, nearest-name
        // suggestions.
        .target(
            name: "ScalevModel", dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            exclude: ["Resources/README.md"], resources: [.copy("Resources/scalev-v3-operations.json")]),
        // Credential-scoped rate budgets over a shared ledger (the protocol; LunasStore implements it).
        .target(name: "RateBudget", dependencies: [
            "LunasClock", "ScalevModel",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
        ]),
        // The Scalev API client: credentials, requests, errors, retries, the v3 catalog, v2; its
        // tokens in a vault it declares (TokenVault), so it links no database.
        .target(name: "Scalev", dependencies: [
            "ScalevModel",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // A local stand-in of the Scalev API.
        .target(name: "ScalevSandbox", dependencies: [
            "ScalevModel",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The automation runtime: script runs and the Lua-facing modules.
        .target(name: "LunasRuntime", dependencies: [
            "LuaKit", "LunasClock", "LunasSchedule", "LunasStore", "Scalev", "ScalevModel", "RateBudget",
            .product(name: "TOMLKit", package: "TOMLKit"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ], resources: [.copy("Lua")]),
        // The job runner behind `lunas serve`: rules files, schedules, durable jobs, webhook intake,
        // run history, over the public Runtime.
        .target(name: "LunasServe", dependencies: [
            "LunasRuntime", "LunasSchedule", "LunasStore", "LunasClock", "ScalevModel",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "CoreMetrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
        ]),
        // What tests need to run against Scalev and a store: one sandbox harness, one store fixture.
        .target(name: "LunasTesting", dependencies: [
            "ScalevSandbox", "LunasStore",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ]),
        // The command line: everything through the runtime and the runner, and the sandbox it can start.
        .executableTarget(name: "lunas", dependencies: [
            "LunasRuntime", "LunasServe", "ScalevSandbox", "LunasSchedule", "ScalevModel",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),
        // Hosts embedding the runtime, as docs/embedding.md shows them: a pricing route, a rule worker.
        .target(name: "LunasExamples", dependencies: [
            "LunasRuntime", "LuaKit", .product(name: "Hummingbird", package: "hummingbird"),
        ], path: "Examples/LunasExamples"),
        .executableTarget(name: "lunas-bench", dependencies: [
            "LuaKit", "LunasRuntime", "LunasStore", "LunasServe", "RateBudget", "ScalevModel",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "Logging", package: "swift-log"),
        ], path: "Benchmarks/LunasBench"),
        .testTarget(name: "LuaKitTests", dependencies: ["LuaKit", "LunasTesting"], resources: [.copy("Lua")]),
        .testTarget(name: "LunasTests", dependencies: [
            "LunasRuntime", "LunasClock", "LunasStore", "Scalev", "ScalevModel", "ScalevSandbox", "LunasTesting", "RateBudget",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
        .testTarget(name: "ExamplesTests", dependencies: [
            "LunasExamples", "LunasRuntime", "LuaKit", "LunasStore", "LunasTesting",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
        ]),
        .testTarget(name: "ScalevModelTests", dependencies: ["ScalevModel"]),
        .testTarget(name: "LunasServeTests", dependencies: [
            "LunasServe", "LunasRuntime", "LunasSchedule", "LunasStore", "LunasClock", "LunasTesting", "ScalevModel", "ScalevSandbox",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        .testTarget(name: "LunasScheduleTests", dependencies: ["LunasSchedule"]),
        .testTarget(name: "ScalevTests", dependencies: [
            "Scalev", "ScalevModel", "ScalevSandbox", "LunasStore", "LunasRuntime", "LunasTesting",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ]),
        .testTarget(name: "RateBudgetTests", dependencies: [
            "RateBudget", "ScalevModel", "ScalevSandbox", "LunasClock", "LunasStore", "LunasTesting",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ]),
        .testTarget(name: "LunasStoreTests", dependencies: [
            "LunasClock", "LunasStore", "RateBudget", "ScalevModel", "LunasTesting",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
        ]),
        .testTarget(name: "LunasTestingTests", dependencies: [
            "LunasTesting", "LunasStore", "ScalevSandbox",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ]),
        .testTarget(name: "ScalevSandboxTests", dependencies: [
            "ScalevSandbox", "ScalevModel", "LunasTesting",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
    ]
)
