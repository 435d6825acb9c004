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
    ],
    targets: [
        // Lua 5.4 from the system (Debian: liblua5.4-dev) and the C side of the binding.
        .systemLibrary(name: "CLuaSystem", pkgConfig: "lua5.4", providers: [.apt(["liblua5.4-dev"])]),
        .target(name: "CLua", dependencies: ["CLuaSystem"]),
        // Swift <-> Lua, knowing nothing of commerce.
        .target(name: "LuaKit", dependencies: ["CLua"]),
        // The one database layer: KV, vault, budget ledger, jobs; SQLite or PostgreSQL.
        .target(name: "LunasStore", dependencies: [
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The catalog of Scalev's v3 operations, one copy for the client and the sandbox.
        .target(name: "ScalevCatalog", exclude: ["Resources/README.md"], resources: [.copy("Resources/scalev-v3-operations.json")]),
        // Credential-scoped rate budgets over the store's shared ledger.
        .target(name: "RateBudget", dependencies: [
            "LunasStore",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
        ]),
        // The Scalev API client: credentials, requests, errors, retries, the v3 catalog, v2.
        .target(name: "Scalev", dependencies: [
            "ScalevCatalog", "LunasStore",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // A local stand-in of the Scalev API.
        .target(name: "ScalevSandbox", dependencies: [
            "ScalevCatalog",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The automation runtime: script runs and the Lua-facing modules.
        .target(name: "LunasRuntime", dependencies: [
            "LuaKit", "LunasStore", "Scalev", "RateBudget",
            .product(name: "TOMLKit", package: "TOMLKit"),
        ]),
        .executableTarget(name: "lunas", dependencies: [
            "LuaKit", "LunasRuntime", "ScalevSandbox", "LunasStore", "Scalev", "RateBudget",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Hummingbird", package: "hummingbird"),
        ]),
        .executableTarget(name: "lunas-bench", dependencies: ["LuaKit", .product(name: "AsyncHTTPClient", package: "async-http-client")], path: "Benchmarks/LunasBench"),
        .testTarget(name: "LuaKitTests", dependencies: ["LuaKit"], resources: [.copy("Lua")]),
        .testTarget(name: "LunasTests", dependencies: [
            "LunasRuntime", "LunasStore", "Scalev", "ScalevSandbox",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ]),
        .testTarget(name: "ScalevTests", dependencies: [
            "Scalev", "ScalevSandbox", "LunasStore",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ]),
        .testTarget(name: "RateBudgetTests", dependencies: [
            "RateBudget", "ScalevSandbox", "LunasStore",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ]),
        .testTarget(name: "LunasStoreTests", dependencies: ["LunasStore"]),
        .testTarget(name: "ScalevSandboxTests", dependencies: [
            "ScalevSandbox",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
    ]
)
