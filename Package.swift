// swift-tools-version:6.0
import PackageDescription

// Layering (each module uses only the ones above it):
//   CZlib, CPNG, CJPEG, CBLAS, CCurl, CCrypto -> NNCore -> NNImage -> NNLayers -> NNData -> NNAugment -> NNZooKit -> nnzoo
let package = Package(
    name: "nnzoo",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "nnzoo", targets: ["nnzoo"]),
        // The engine for programs that write their own network: NNLayers needs only NNCore (which
        // links OpenBLAS and libcrypto); NNZooKit adds recipes, the trainer, checkpoints, datasets.
        .library(name: "NNCore", targets: ["NNCore"]),
        .library(name: "NNLayers", targets: ["NNLayers"]),
        .library(name: "NNZooKit", targets: ["NNZooKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0")
    ],
    targets: [
        .systemLibrary(
            name: "CZlib", pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]),
        .systemLibrary(
            name: "CPNG", pkgConfig: "libpng",
            providers: [.apt(["libpng-dev"]), .brew(["libpng"])]),
        .systemLibrary(
            name: "CJPEG", pkgConfig: "libjpeg",
            providers: [.apt(["libjpeg-dev"]), .brew(["jpeg-turbo"])]),
        .systemLibrary(
            name: "CCrypto", pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"]), .brew(["openssl@3"])]),
        .systemLibrary(
            name: "CBLAS", pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"]), .brew(["openblas"])]),
        .systemLibrary(
            name: "CCurl", pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"]), .brew(["curl"])]),

        .target(name: "NNCore", dependencies: ["CBLAS", "CCrypto"]),
        .target(name: "NNImage", dependencies: ["NNCore", "CPNG", "CJPEG"]),
        .target(name: "NNLayers", dependencies: ["NNCore"]),
        .target(name: "NNData", dependencies: ["NNCore", "NNImage", "CZlib", "CCurl"]),
        .target(name: "NNAugment", dependencies: ["NNCore", "NNImage", "NNData"]),
        .target(name: "NNZooKit", dependencies: ["NNCore", "NNImage", "NNLayers", "NNData", "NNAugment"]),
        .executableTarget(
            name: "nnzoo",
            dependencies: [
                "NNZooKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        // Benchmarks people run by hand: `swift run -c release nnbench --help`.
        .executableTarget(
            name: "nnbench",
            dependencies: [
                "NNZooKit", "MallocCounter",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Tools/bench/nnbench"),
        // Counts the benchmark process's heap allocations (nnbench only).
        .target(name: "MallocCounter", path: "Tools/bench/MallocCounter"),

        // The tests' access to the files committed under Tests/Fixtures (and the package's Data/
        // and zoo/), checked: a missing or damaged fixture fails the test that reads it, naming the file.
        .target(name: "FixtureSupport", path: "Tests/FixtureSupport"),
        .testTarget(name: "NNCoreTests", dependencies: ["NNCore", "FixtureSupport"]),
        .testTarget(name: "NNImageTests", dependencies: ["NNImage", "FixtureSupport"]),
        .testTarget(name: "NNLayersTests", dependencies: ["NNLayers", "FixtureSupport"]),
        .testTarget(name: "NNDataTests", dependencies: ["NNData", "NNImage", "FixtureSupport"]),
        .testTarget(name: "NNAugmentTests", dependencies: ["NNAugment", "FixtureSupport"]),
        .testTarget(name: "NNZooKitTests", dependencies: ["NNZooKit", "FixtureSupport"]),
        .testTarget(
            name: "nnzooTests",
            dependencies: [
                "nnzoo", "FixtureSupport", "CirclesHinge", "DenseGradients", "CustomLayer", "HandBuiltDigits",
            ]),

        // Examples/: the course notebooks' exercises as small programs against the library
        // (`swift run CirclesHinge`); the tests build and run them (ExamplesTests).
        .executableTarget(name: "CirclesHinge", dependencies: ["NNCore", "NNLayers"], path: "Examples/CirclesHinge"),
        .executableTarget(
            name: "DenseGradients", dependencies: ["NNCore", "NNLayers"], path: "Examples/DenseGradients"),
        .executableTarget(name: "CustomLayer", dependencies: ["NNCore", "NNLayers"], path: "Examples/CustomLayer"),
        .executableTarget(
            name: "HandBuiltDigits", dependencies: ["NNCore", "NNData", "NNLayers", "NNZooKit"],
            path: "Examples/HandBuiltDigits"),
    ],
    swiftLanguageModes: [.v5]
)
