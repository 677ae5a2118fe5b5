// swift-tools-version:6.0
// Ossify: synthetic pediatric hand radiographs on libtorch.
//
// libtorch comes from Debian's libtorch-dev unless LIBTORCH names another one: a libtorch folder
// or the `torch` folder of a PyTorch install (both have include/ and lib/). A CUDA libtorch keeps
// torch_cuda through --no-as-needed. LIBTORCH_CXX11_ABI=0 selects the old C++ ABI of some wheels.
import Foundation
import PackageDescription

let environment = Context.environment
let libtorch = environment["LIBTORCH"].flatMap { $0.isEmpty ? nil : $0 }

var shimFlags: [String] = []
var cxxStandard = CXXLanguageStandard.cxx17
var linkFlags: [String] = []
/// libtorch's major version from its headers (2.x headers need C++20; 1.13's only build as C++17).
func libtorchMajorVersion(_ root: String) -> Int? {
    let header = "\(root)/include/torch/csrc/api/include/torch/version.h"
    guard let text = try? String(contentsOfFile: header, encoding: .utf8),
          let line = text.split(separator: "\n").first(where: { $0.contains("#define TORCH_VERSION_MAJOR") }),
          let value = line.split(separator: " ").last else { return nil }
    return Int(value)
}

if let root = libtorch {
    shimFlags += ["-I\(root)/include", "-I\(root)/include/torch/csrc/api/include"]
    if (libtorchMajorVersion(root) ?? 2) >= 2 { cxxStandard = .cxx20 }
    linkFlags += ["-L\(root)/lib", "-Xlinker", "-rpath", "-Xlinker", "\(root)/lib", "-Xlinker", "--no-as-needed"]
    if FileManager.default.fileExists(atPath: "\(root)/lib/libtorch_cuda.so") {
        linkFlags += ["-ltorch_cuda", "-lc10_cuda"]
    }
} else {
    shimFlags += ["-I/usr/include/torch/csrc/api/include"]
}
if let abi = environment["LIBTORCH_CXX11_ABI"] {
    shimFlags += ["-D_GLIBCXX_USE_CXX11_ABI=\(abi)"]
}

// c10d (CTorchDistributed): ProcessGroupGloo.hpp needs gloo's headers (libgloo-dev; PyTorch wheels ship
// none) and USE_C10D_GLOO. ProcessGroupNCCL joins only when LIBTORCH is a CUDA build whose NCCL and
// CUDA headers are found: beside a PyTorch wheel (site-packages/nvidia/*/include), in the libtorch
// folder, or under NCCL_HOME / CUDA_HOME.
var distributedFlags = shimFlags + ["-DUSE_C10D_GLOO", "-I\(Context.packageDirectory)/Sources/CTorch"]
/// Include folders for ProcessGroupNCCL.hpp when `root` is a CUDA libtorch with NCCL headers at hand.
func ncclIncludeFolders(_ root: String) -> [String]? {
    let files = FileManager.default
    guard files.fileExists(atPath: "\(root)/lib/libtorch_cuda.so") else { return nil }
    let wheelNvidia = "\(root)/../nvidia"
    var folders = ((try? files.contentsOfDirectory(atPath: wheelNvidia)) ?? []).sorted()
        .map { "\(wheelNvidia)/\($0)/include" }.filter { files.fileExists(atPath: $0) }
    for variable in ["NCCL_HOME", "CUDA_HOME"] {
        if let home = environment[variable], !home.isEmpty { folders.append("\(home)/include") }
    }
    folders.append("\(root)/include")
    guard folders.contains(where: { files.fileExists(atPath: "\($0)/nccl.h") }) else { return nil }
    return folders
}
if let root = libtorch, let folders = ncclIncludeFolders(root) {
    distributedFlags += ["-DUSE_C10D_NCCL", "-DCTD_WITH_NCCL"] + folders.map { "-I\($0)" }
}

let strict: [SwiftSetting] = []

let package = Package(
    name: "Ossify",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "ossify", targets: ["ossify"]),
        .library(name: "Torch", targets: ["Torch"]),
        .library(name: "TorchNN", targets: ["TorchNN"]),
        .library(name: "Radiograph", targets: ["Radiograph"]),
        .library(name: "Datasets", targets: ["Datasets"]),
        .library(name: "ProGAN", targets: ["ProGAN"]),
        .library(name: "GANMetrics", targets: ["GANMetrics"]),
        .library(name: "DICOM", targets: ["DICOM"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    ],
    targets: [
        .target(
            name: "CTorch",
            cxxSettings: [.unsafeFlags(shimFlags)],
            linkerSettings: [
                .unsafeFlags(linkFlags),
                .linkedLibrary("torch"), .linkedLibrary("torch_cpu"), .linkedLibrary("c10"),
            ]
        ),
        .target(name: "Torch", dependencies: ["CTorch"], swiftSettings: strict),
        .target(name: "CTorchDistributed", cxxSettings: [.unsafeFlags(distributedFlags)],
                linkerSettings: [.unsafeFlags(linkFlags), .linkedLibrary("torch_cpu"), .linkedLibrary("c10")]),
        .target(name: "TorchDistributed", dependencies: ["CTorchDistributed", "Torch", "TorchNN", "RunKit"], swiftSettings: strict),
        .target(name: "TorchNN", dependencies: ["Torch"], swiftSettings: strict),
        .target(
            name: "CImageCodecs",
            linkerSettings: [.linkedLibrary("png"), .linkedLibrary("jpeg")]
        ),
        // GDCM (libgdcm-dev) decodes DICOM pixel data in every transfer syntax and writes datasets.
        .target(
            name: "CDICOM",
            cxxSettings: [.unsafeFlags(["-I/usr/include/gdcm-3.0"])],
            linkerSettings: [.linkedLibrary("gdcmMSFF"), .linkedLibrary("gdcmDSED"), .linkedLibrary("gdcmCommon"),
                             .linkedLibrary("z")]
        ),
        .target(name: "DICOM", dependencies: ["CDICOM"], swiftSettings: strict),
        .target(name: "Radiograph", dependencies: ["Torch", "CImageCodecs", "DICOM"], swiftSettings: strict),
        .target(name: "Datasets", dependencies: ["Torch", "Radiograph", "RunKit"], swiftSettings: strict),
        .target(name: "RunKit", swiftSettings: strict),
        .target(name: "ProGAN", dependencies: ["TorchNN", "TorchDistributed", "Datasets", "Radiograph", "RunKit"], swiftSettings: strict),
        // Optimised even in debug builds: SWD's radix sort is a hot Swift loop (tests stay fast).
        .target(name: "GANMetrics", dependencies: ["TorchNN", "Radiograph", "Datasets", "RunKit", "ProGAN", "BoneAge"],
                swiftSettings: strict + [.unsafeFlags(["-O"], .when(configuration: .debug))]),
        .target(name: "BoneAge", dependencies: ["TorchNN", "TorchDistributed", "Datasets", "Radiograph", "RunKit"], swiftSettings: strict),
        // Optimised even in debug builds: the lasso's coordinate descent is a hot Swift loop.
        .target(name: "LatentLab", dependencies: ["TorchNN", "TorchDistributed", "ProGAN", "BoneAge", "Radiograph", "RunKit"],
                swiftSettings: strict + [.unsafeFlags(["-O"], .when(configuration: .debug))]),
        .target(name: "Study", dependencies: ["Datasets", "Radiograph", "RunKit", "ProGAN", "BoneAge", "GANMetrics", "LatentLab"],
                swiftSettings: strict),
        // The web atlas and reader study: its own target because it brings Hummingbird and GRDB.
        .target(name: "Atlas", dependencies: ["Torch", "Radiograph", "Datasets", "RunKit", "ProGAN", "BoneAge", "LatentLab", "Study", "DICOM",
                                              .product(name: "Hummingbird", package: "hummingbird"),
                                              .product(name: "HTTPTypes", package: "swift-http-types"),
                                              .product(name: "GRDB", package: "GRDB.swift")],
                swiftSettings: strict),
        .target(name: "OssifyBench", dependencies: ["Torch", "TorchNN", "TorchDistributed", "Radiograph", "Datasets", "ProGAN", "BoneAge",
                                                  "GANMetrics", "LatentLab", "RunKit", "DICOM"], path: "Benchmarks/OssifyBench",
                swiftSettings: strict),
        // The atlas's benchmark: apart from the library, and from OssifyBench, which does not bring Hummingbird.
        .target(name: "AtlasBenchmarks", dependencies: ["Atlas", "RunKit"], path: "Benchmarks/AtlasBenchmarks", swiftSettings: strict),
        .executableTarget(
            name: "ossify",
            dependencies: [
                "Torch", "TorchNN", "TorchDistributed", "Radiograph", "Datasets", "RunKit", "ProGAN", "BoneAge", "OssifyBench", "GANMetrics",
                "Study", "LatentLab", "DICOM", "Atlas", "AtlasBenchmarks",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        // Running children in tests: output read as it arrives, bounded waits, the Python references.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "CTorchTests", dependencies: ["CTorch"]),
        .testTarget(name: "TorchTests", dependencies: ["TestSupport", "Torch"], exclude: ["Fixtures"]),
        .testTarget(name: "TorchNNTests", dependencies: ["TorchNN"], exclude: ["Fixtures"]),
        .testTarget(name: "DICOMTests", dependencies: ["TestSupport", "DICOM", "Radiograph"]),
        .testTarget(name: "TorchDistributedTests", dependencies: ["TorchDistributed", "Torch", "TorchNN", "RunKit"]),
        .testTarget(name: "RadiographTests", dependencies: ["Radiograph"], exclude: ["Fixtures"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "Radiograph"]),
        .testTarget(name: "RunKitTests", dependencies: ["RunKit"]),
        .testTarget(name: "ProGANTests", dependencies: ["TestSupport", "ProGAN", "TorchNN", "RunKit", "Radiograph", "Datasets"]),
        .testTarget(name: "GANMetricsTests", dependencies: ["TestSupport", "GANMetrics", "LatentLab", "Study", "Radiograph", "Torch", "Datasets", "ProGAN", "BoneAge", "RunKit"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "StudyTests", dependencies: ["Study", "RunKit", "Radiograph", "BoneAge", "ProGAN", "Torch", "TorchNN"]),
        .testTarget(name: "LatentLabTests", dependencies: ["LatentLab", "ProGAN", "BoneAge", "Radiograph", "Torch", "RunKit"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "AtlasTests", dependencies: ["TestSupport", "Atlas", "ProGAN", "Datasets", "Radiograph", "RunKit", "Torch", "BoneAge", "LatentLab", "DICOM",
                                                       .product(name: "Hummingbird", package: "hummingbird"),
                                                       .product(name: "HummingbirdTesting", package: "hummingbird"),
                                                       .product(name: "GRDB", package: "GRDB.swift")],
                    exclude: ["Fixtures"]),
        .testTarget(name: "DistributedTrainingTests", dependencies: ["TestSupport", "BoneAge", "Datasets", "LatentLab", "ProGAN", "Radiograph", "RunKit",
                                                                "Torch", "TorchNN", "TorchDistributed"]),
        .testTarget(name: "OssifyBenchTests", dependencies: ["OssifyBench", "ProGAN", "Torch"]),
        .testTarget(name: "BoneAgeTests", dependencies: ["TestSupport", "BoneAge", "TorchNN", "Datasets", "Radiograph", "RunKit", "DICOM"]),
    ],
    cxxLanguageStandard: cxxStandard
)
