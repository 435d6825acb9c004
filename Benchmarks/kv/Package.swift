// swift-tools-version: 6.0
// The kv benchmark: `kv.get`/`kv.set` from Lua against raw SQL through the same libraries
// (GRDB, postgres-nio), on each backend, in one run.
//
//   swift run -c release --package-path Benchmarks/kv kv-bench [--ops 20000] [--postgres URL]
import PackageDescription

let package = Package(
    name: "kv-bench",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "lunas", path: "../.."),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        .executableTarget(name: "kv-bench", dependencies: [
            .product(name: "LunasStore", package: "lunas"),
            .product(name: "LunasRuntime", package: "lunas"),
            .product(name: "LuaKit", package: "lunas"),
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
        ]),
    ]
)
