// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "lunas",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "LuaKit", targets: ["LuaKit"]),
        .executable(name: "lunas", targets: ["lunas"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        .systemLibrary(name: "CLuaSystem", pkgConfig: "lua5.4", providers: [.apt(["liblua5.4-dev"])]),
        .target(name: "CLua", dependencies: ["CLuaSystem"]),
        .target(name: "LuaKit", dependencies: ["CLua", .product(name: "Logging", package: "swift-log")]),
        .target(name: "LunasRuntime", dependencies: ["LuaKit"]),
        .executableTarget(name: "lunas", dependencies: [
            "LuaKit", "LunasRuntime",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "LuaKitTests", dependencies: ["LuaKit"], resources: [.copy("Lua")]),
        .testTarget(name: "LunasTests", dependencies: ["LunasRuntime"]),
    ]
)
