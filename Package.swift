// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "parkctl",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "parkctl", targets: ["parkctl"]),
        .library(name: "Postgres", targets: ["Postgres"]),
        .library(name: "ParkCore", targets: ["ParkCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // Reads the zip container of .xlsx files for import, entry by entry in chunks.
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
    ],
    targets: [
        // libpq, the C client library of PostgreSQL.
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"]), .brew(["libpq"])]
        ),
        // zlib's deflate, for the .xlsx files parkctl writes (ZIP entries, streamed).
        .systemLibrary(
            name: "CZlibDeflate",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]
        ),
        // The thin Swift layer over libpq: connections, parameterised queries,
        // typed decoding, errors with SQLSTATE, transactions, COPY, pipeline.
        .target(
            name: "Postgres",
            dependencies: ["CLibPQ"]
        ),
        // Turns sql/*.sql into generated Swift, so the migrations travel inside
        // the binary while sql/ stays their single source of truth.
        .executableTarget(name: "SQLEmbed"),
        .plugin(
            name: "EmbedSQLPlugin",
            capability: .buildTool(),
            dependencies: ["SQLEmbed"]
        ),
        // Embeds the commit of the build, for `parkctl --version`.
        .executableTarget(name: "BuildInfoEmbed"),
        .plugin(
            name: "EmbedBuildInfoPlugin",
            capability: .buildTool(),
            dependencies: ["BuildInfoEmbed"]
        ),
        // The domain: the park rules, migrations, the embedded local cluster.
        .target(
            name: "ParkCore",
            dependencies: ["Postgres", .product(name: "ZIPFoundation", package: "ZIPFoundation")],
            plugins: ["EmbedSQLPlugin"]
        ),
        // The command line: parses and prints. It speaks to ParkCore only, never to
        // the Postgres layer (ParkCore translates every database error).
        .executableTarget(
            name: "parkctl",
            dependencies: [
                "ParkCore", "CZlibDeflate",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            plugins: ["EmbedBuildInfoPlugin"]
        ),
        // Benchmark driver: runs parkctl's own code paths (COPY) for bench/*.sh.
        .executableTarget(
            name: "parkctl-bench",
            dependencies: ["Postgres", "ParkCore"]
        ),
        .target(
            name: "TestSupport",
            dependencies: ["ParkCore", "Postgres"],
            path: "Tests/TestSupport"
        ),
        .testTarget(
            name: "PostgresTests",
            dependencies: ["Postgres", "TestSupport"]
        ),
        .testTarget(
            name: "ParkCoreTests",
            dependencies: ["ParkCore", "Postgres", "TestSupport"]
        ),
        .testTarget(
            name: "ParkctlCLITests",
            dependencies: ["parkctl", "parkctl-bench", "ParkCore", "Postgres", "TestSupport"],
            // The golden files are read from the source tree (#filePath), not bundled.
            exclude: ["Golden", "Scripts"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
