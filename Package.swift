// swift-tools-version:6.1
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "Liushou",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "liushou", targets: ["liushou"]),
        .executable(name: "liushou-bench", targets: ["LiushouBench"]),
        .library(name: "LiushouPostgres", targets: ["LiushouPostgres"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.24.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        .target(
            name: "LiushouPostgres",
            dependencies: [
                "CLibPQ",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .target(name: "CProcessSupport"),
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CCrypt", providers: [.apt(["libcrypt-dev"])]),
        .target(
            name: "EmbeddedPostgres",
            dependencies: [
                "CProcessSupport",
                "LiushouPostgres",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "LiushouMigrations",
            dependencies: [
                "LiushouPostgres",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "LiushouAccess",
            swiftSettings: strictSettings
        ),
        .target(
            name: "LiushouHTTP",
            dependencies: [
                "LiushouAccess",
                "LiushouPostgres",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "LiushouPlatform",
            dependencies: [
                "CCrypt",
                "LiushouAccess",
                "LiushouHTTP",
                "LiushouPostgres",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "LiushouRegistry",
            dependencies: [
                "LiushouAccess",
                "LiushouHTTP",
                "LiushouPlatform",
                "LiushouPostgres",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "LiushouVolunteers",
            dependencies: [
                "LiushouAccess",
                "LiushouHTTP",
                "LiushouPlatform",
                "LiushouPostgres",
                "LiushouRegistry",
                "LiushouGrid",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "LiushouHealth",
            dependencies: [
                "LiushouAccess",
                "LiushouHTTP",
                "LiushouPlatform",
                "LiushouPostgres",
                "LiushouRegistry",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "LiushouDashboard",
            dependencies: [
                "LiushouAccess",
                "LiushouHTTP",
                "LiushouPlatform",
                "LiushouPostgres",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "LiushouLegalAid",
            dependencies: [
                "LiushouAccess",
                "LiushouHTTP",
                "LiushouPlatform",
                "LiushouPostgres",
                "LiushouRegistry",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "LiushouAlerts",
            dependencies: [
                "LiushouAccess",
                "LiushouHTTP",
                "LiushouPlatform",
                "LiushouPostgres",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "LiushouSchools",
            dependencies: [
                "LiushouAccess",
                "LiushouHTTP",
                "LiushouPlatform",
                "LiushouPostgres",
                "LiushouRegistry",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "LiushouGrid",
            dependencies: [
                "LiushouAccess",
                "LiushouHTTP",
                "LiushouPlatform",
                "LiushouPostgres",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "LiushouRelief",
            dependencies: [
                "LiushouAccess",
                "LiushouHTTP",
                "LiushouPlatform",
                "LiushouPostgres",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "LiushouWeb",
            dependencies: [
                "CZlib",
                "LiushouHTTP",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            resources: [.copy("Resources/web")],
            swiftSettings: strictSettings
        ),
        .target(
            name: "LiushouDemo",
            dependencies: [
                "LiushouAccess",
                "LiushouHTTP",
                "LiushouPlatform",
                "LiushouPostgres",
                "LiushouRegistry",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "LiushouServer",
            dependencies: [
                "LiushouHTTP",
                "LiushouRegistry",
                "LiushouGrid",
                "LiushouVolunteers",
                "LiushouHealth",
                "LiushouRelief",
                "LiushouDashboard",
                "LiushouLegalAid",
                "LiushouSchools",
                "LiushouAlerts",
                "LiushouWeb",
                "LiushouDemo",
                "LiushouPlatform",
                "LiushouAccess",
                "LiushouPostgres",
                "LiushouMigrations",
                "EmbeddedPostgres",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.copy("Resources/openapi.yaml")],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "liushou",
            dependencies: [
                "LiushouServer",
                "LiushouAlerts",
                "LiushouRegistry",
                "LiushouHTTP",
                "LiushouPlatform",
                "LiushouAccess",
                "LiushouPostgres",
                "LiushouMigrations",
                "EmbeddedPostgres",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "LiushouBench",
            dependencies: [
                "LiushouPostgres",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "LiushouTestSupport",
            dependencies: [
                "LiushouPlatform",
                "LiushouAccess",
                "LiushouPostgres",
                "LiushouMigrations",
                "EmbeddedPostgres",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "LiushouAPITestSupport",
            dependencies: [
                "LiushouPlatform", "LiushouServer", "LiushouRegistry", "LiushouHTTP", "LiushouAccess", "LiushouMigrations", "LiushouTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "LiushouPostgresTests",
            dependencies: [
                "LiushouPostgres", "LiushouMigrations", "LiushouTestSupport", "EmbeddedPostgres",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "LiushouPlatformTests",
            dependencies: [
                "LiushouPlatform", "LiushouServer", "LiushouHTTP", "LiushouAccess", "LiushouPostgres", "LiushouMigrations",
                "LiushouTestSupport", "LiushouAPITestSupport", "LiushouRegistry",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "LiushouRegistryTests",
            dependencies: [
                "LiushouRegistry", "LiushouPostgres", "LiushouPlatform", "LiushouServer", "LiushouHTTP", "LiushouAccess",
                "LiushouTestSupport", "LiushouAPITestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "LiushouGridTests",
            dependencies: [
                "LiushouGrid", "LiushouRegistry", "LiushouPostgres", "LiushouPlatform", "LiushouServer", "LiushouHTTP", "LiushouAccess",
                "LiushouTestSupport", "LiushouAPITestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "LiushouVolunteersTests",
            dependencies: [
                "LiushouVolunteers", "LiushouGrid", "LiushouRegistry", "LiushouPostgres", "LiushouPlatform", "LiushouServer", "LiushouHTTP",
                "LiushouAccess", "LiushouTestSupport", "LiushouAPITestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "LiushouHealthTests",
            dependencies: [
                "LiushouHealth", "LiushouGrid", "LiushouRegistry", "LiushouPostgres", "LiushouPlatform", "LiushouServer", "LiushouHTTP",
                "LiushouAccess", "LiushouTestSupport", "LiushouAPITestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "LiushouReliefTests",
            dependencies: [
                "LiushouRelief", "LiushouRegistry", "LiushouPostgres", "LiushouPlatform", "LiushouServer", "LiushouHTTP", "LiushouAccess",
                "LiushouTestSupport", "LiushouAPITestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "LiushouDashboardTests",
            dependencies: [
                "LiushouDashboard", "LiushouRegistry", "LiushouPostgres", "LiushouPlatform", "LiushouServer", "LiushouHTTP",
                "LiushouAccess", "LiushouTestSupport", "LiushouAPITestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "LiushouLegalAidTests",
            dependencies: [
                "LiushouLegalAid", "LiushouRegistry", "LiushouPostgres", "LiushouPlatform", "LiushouServer", "LiushouHTTP",
                "LiushouAccess", "LiushouTestSupport", "LiushouAPITestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "LiushouSchoolsTests",
            dependencies: [
                "LiushouSchools", "LiushouRegistry", "LiushouPostgres", "LiushouPlatform", "LiushouServer", "LiushouHTTP", "LiushouAccess",
                "LiushouTestSupport", "LiushouAPITestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "LiushouAlertsTests",
            dependencies: [
                "LiushouAlerts", "LiushouPostgres", "LiushouPlatform", "LiushouServer", "LiushouHTTP", "LiushouAccess",
                "LiushouTestSupport", "LiushouAPITestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "LiushouDemoTests",
            dependencies: [
                "LiushouDemo", "LiushouPostgres", "LiushouPlatform", "LiushouServer", "LiushouHTTP", "LiushouAccess",
                "LiushouTestSupport", "LiushouAPITestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "LiushouServerTests",
            dependencies: [
                "LiushouServer",
                "LiushouHTTP",
                "LiushouPlatform",
                "LiushouAccess",
                "LiushouTestSupport",
                "LiushouPostgres",
                "LiushouMigrations",
                "EmbeddedPostgres",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
    ]
)
