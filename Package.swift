// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "wsync",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "wsync", targets: ["wsync"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.1"),
    ],
    targets: [
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CNCurses", pkgConfig: "ncursesw", providers: [.apt(["libncursesw5-dev"])]),
        .target(name: "Postgres", dependencies: ["CLibPQ"]),
        .target(name: "GitHubSimulator", dependencies: [.product(name: "FlyingFox", package: "FlyingFox")]),
        .target(name: "SyncEngine", dependencies: ["Postgres"]),
        .target(name: "Dashboard", dependencies: ["SyncEngine", "CNCurses"]),
        .executableTarget(
            name: "wsync",
            dependencies: [
                "SyncEngine", "Dashboard", "GitHubSimulator", "Postgres",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "FlyingFox", package: "FlyingFox"),
            ]
        ),
        .executableTarget(name: "wsync-benchmarks", dependencies: ["SyncEngine", "Postgres", "Dashboard", "GitHubSimulator"], path: "Sources/Benchmarks"),
        .target(name: "TestSupport", dependencies: ["Postgres", "SyncEngine"], path: "Tests/TestSupport"),
        .testTarget(name: "PostgresTests", dependencies: ["Postgres", "TestSupport"]),
        .testTarget(name: "SyncEngineTests", dependencies: ["SyncEngine", "GitHubSimulator", "TestSupport"]),
        .testTarget(name: "DashboardTests", dependencies: ["Dashboard", "SyncEngine", "TestSupport"], exclude: ["Goldens"]),
        .testTarget(name: "GitHubSimulatorTests", dependencies: ["GitHubSimulator"]),
        .testTarget(name: "EndToEndTests", dependencies: ["SyncEngine", "GitHubSimulator", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
