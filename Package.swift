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
        // A local stand-in of the Scalev API.
        .target(name: "ScalevSandbox", dependencies: [
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Logging", package: "swift-log"),
        ], exclude: ["Resources/README.md"], resources: [.copy("Resources/scalev-v3-operations.json")]),
        // The automation runtime: script runs and the Lua-facing modules.
        .target(name: "LunasRuntime", dependencies: ["LuaKit", "LunasStore"]),
        .executableTarget(name: "lunas", dependencies: [
            "LuaKit", "LunasRuntime", "ScalevSandbox", "LunasStore",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "lunas-bench", dependencies: ["LuaKit"], path: "Benchmarks/LunasBench"),
        .testTarget(name: "LuaKitTests", dependencies: ["LuaKit"], resources: [.copy("Lua")]),
        .testTarget(name: "LunasTests", dependencies: ["LunasRuntime", "LunasStore"]),
        .testTarget(name: "LunasStoreTests", dependencies: ["LunasStore"]),
        .testTarget(name: "ScalevSandboxTests", dependencies: [
            "ScalevSandbox",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
    ]
)
