// swift-tools-version:6.0
import PackageDescription

/// A release build carries the Swift runtime and Foundation inside: it runs where no Swift toolchain is installed, and
/// the dashboard maps the parts it uses rather than whole shared libraries (BENCHMARKS.md's memory figure). Debug
/// builds link them dynamically, which links faster.
let staticStdlibInRelease: [LinkerSetting] = [.unsafeFlags(["-static-stdlib"], .when(configuration: .release))]

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
        // Compiled against the static Foundation too, so that FoundationNetworking brings the libraries it needs.
        .target(name: "SyncEngine", dependencies: ["Postgres"], swiftSettings: [.unsafeFlags(["-static-stdlib"], .when(configuration: .release))]),
        .target(name: "Dashboard", dependencies: ["SyncEngine", "CNCurses"]),
        .executableTarget(
            name: "wsync",
            dependencies: [
                "SyncEngine", "Dashboard", "GitHubSimulator", "Postgres",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "FlyingFox", package: "FlyingFox"),
            ],
            linkerSettings: staticStdlibInRelease
        ),
        .executableTarget(name: "wsync-benchmarks", dependencies: ["SyncEngine", "Postgres", "Dashboard", "GitHubSimulator"], path: "Sources/Benchmarks",
                         linkerSettings: staticStdlibInRelease),
        .target(name: "TestSupport", dependencies: ["Postgres", "SyncEngine"], path: "Tests/TestSupport"),
        .testTarget(name: "PostgresTests", dependencies: ["Postgres", "TestSupport"]),
        .testTarget(name: "SyncEngineTests", dependencies: ["SyncEngine", "GitHubSimulator", "TestSupport"]),
        .testTarget(name: "DashboardTests", dependencies: ["Dashboard", "SyncEngine", "TestSupport"], exclude: ["Goldens"]),
        .testTarget(name: "GitHubSimulatorTests", dependencies: ["GitHubSimulator"]),
        .testTarget(name: "EndToEndTests", dependencies: ["SyncEngine", "GitHubSimulator", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
