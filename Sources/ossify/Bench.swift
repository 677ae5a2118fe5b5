import ArgumentParser
import BoneAge
import Datasets
import GANMetrics
import OssifyBench
import ProGAN
import Radiograph
import RunKit
import Study
import Torch
import TorchDistributed

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks that print JSON lines, with a peer implementation measured in the same run.",
        subcommands: [Ops.self, GANStep.self, DatasetBench.self, PhantomBench.self, CLAHEBench.self, MetricsBench.self,
                      AgeStep.self, LassoBench.self, DICOMBench.self, AtlasBench.self]
    )

    struct Ops: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "matmul and conv2d forward+backward against PyTorch (python3-torch, the same libtorch)."
        )

        @Option(help: "Timed repetitions per case.") var repeats = 20
        @Option(help: "Untimed warm-up runs per case.") var warmup = 3
        @Option(help: "Python with torch installed, for the peer.") var python = "/usr/bin/python3"
        @Option(help: "The PyTorch peer script (default: Benchmarks/peers/ops_pytorch.py in this checkout).")
        var peerScript: String?

        func validate() throws {
            guard repeats > 0 else { throw ValidationError("--repeats must be positive, got \(repeats)") }
            guard warmup >= 0 else { throw ValidationError("--warmup must be zero or more, got \(warmup)") }
        }

        func run() throws {
            OpsBenchmark.run(repeats: repeats, warmup: warmup, python: python, peerScript: peerScript) { print($0) }
        }
    }

    struct GANStep: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "gan-step",
            abstract: "One PGGAN training step (D with gradient penalty and drift, G, Adam on both) against PyTorch."
        )

        @Option(help: "Resolution (power of two).") var res = 32
        @Option(help: "fmap_base of the networks.") var fmapBase = 8192
        @Option(help: "fmap_max of the networks.") var fmapMax = 512
        @Option(help: "Latent size.") var latent = 512
        @Option(help: "Minibatch.") var batch = 16
        @Option(help: "Timed steps.") var steps = 10
        @Option(help: "Python with torch installed, for the peer.") var python = "/usr/bin/python3"
        @Option(help: "Also time the conditional step with these labels (age, sex or age,sex) and report its cost.")
        var condition: String?
        @Option(help: "With --condition: fourier | scalar.") var ageEncoding = "fourier"
        @Option(help: "With --condition: projection | auxiliary | both.") var conditionD = "projection"
        @Flag(help: "With --condition: G modulated by the labels at every block (train-gan --label-modulation).")
        var labelModulation = false
        @Option(help: "With --condition: the mismatched-label term's weight (train-gan --mismatch-weight).")
        var mismatchWeight: Double?
        @Option(help: "With --condition: also time the step guided by this bone-age CNN (train-gan --guidance-age-model; repeat it for an ensemble), against the conditional step.")
        var guidanceAgeModel: [String] = []
        @Option(help: "With --condition: also time the step guided by this sex classifier (train-gan --guidance-sex-model).")
        var guidanceSexModel: String?
        @Flag(help: "Instead: the step's cost with each realism lever on (host syncs per tick, lazy penalty, R1, DiffAugment, EMA half-life) against the plain step, and channels-last in the PyTorch peer.")
        var levers = false
        @Option(help: "With --levers: rounds of --steps timed steps, every variant stepped in turn.") var rounds = 2
        @Option(help: "Also time the step data parallel over N local processes (Gloo) at the same global minibatch, against one process and PyTorch's DistributedDataParallel.")
        var nproc: Int?
        @Option(help: "cpu | cuda | cuda:N, for Ossify and the PyTorch peer alike.") var device = "cpu"

        func run() throws {
            var configuration = GANStepBenchmark.Configuration(resolution: res, fmapBase: fmapBase, fmapMax: fmapMax,
                                                               latent: latent, batch: batch)
            configuration.steps = steps
            configuration.device = try Device(parsing: device)
            if levers && (nproc ?? 1) > 1 {
                throw ValidationError("--levers times one process; leave out --nproc (the data-parallel step is timed without --levers)")
            }
            if (!guidanceAgeModel.isEmpty || guidanceSexModel != nil) && (levers || (nproc ?? 1) > 1) {
                throw ValidationError("--guidance-*-model times one process beside the conditional step; leave out --levers and --nproc")
            }
            if let context = try DistributedContext.join(try LaunchEnvironment.detect()) {
                try DataParallelGANStepBenchmark.runWorker(configuration, context: context) { print($0) }
                return
            }
            if let nproc, nproc > 1 {
                try DataParallelGANStepBenchmark.run(configuration, nproc: nproc, python: python, launch: {
                    try launchWorkers(nproc)
                }, emit: { print($0); flushOutput() })
                return
            }
            if let condition {
                guard let encoding = AgeEncoding(rawValue: ageEncoding), let mode = DiscriminatorConditioning(rawValue: conditionD) else {
                    throw ValidationError("--age-encoding: fourier | scalar; --condition-d: projection | auxiliary | both")
                }
                configuration.conditioning = LabelConditioning(attributes: try ConditionAttribute.parseList(condition),
                                                               ageEncoding: encoding, discriminator: mode,
                                                               generatorModulation: labelModulation)
                if let mismatchWeight {
                    configuration.conditionTraining.mismatchWeight = mismatchWeight
                }
            } else if labelModulation || mismatchWeight != nil || !guidanceAgeModel.isEmpty || guidanceSexModel != nil {
                throw ValidationError("--label-modulation, --mismatch-weight and --guidance-*-model need --condition")
            }
            let readers = try BoneAgeLabelReader.guidanceReaders(ageModels: guidanceAgeModel, sexModel: guidanceSexModel)
            if levers {
                guard rounds >= 1 else { throw ValidationError("--rounds must be at least 1, got \(rounds)") }
                try LeverStepBenchmark.run(configuration, rounds: rounds, python: python) { print($0); flushOutput() }
                return
            }
            try GANStepBenchmark.run(configuration, readers: readers, python: python) { print($0) }
        }

        /// Runs this command as `nproc` workers; returns the JSON lines rank 0 printed.
        func launchWorkers(_ nproc: Int) throws -> [[String: Any]] {
            let arguments = WorkerLauncher.removingOption("--nproc", from: Array(CommandLine.arguments.dropFirst()))
            var launcher = try WorkerLauncher(workers: nproc, executable: WorkerLauncher.currentExecutable, arguments: arguments)
            launcher.capturesRootOutput = true
            return try launcher.run().compactMap { JSONLinesWriter.parse($0) }
        }
    }

    struct DatasetBench: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "dataset",
            abstract: "Packing speed and loader throughput (plain, augmented), against decoding PNGs per image."
        )

        @Option(help: "Image folder to pack (default: synthetic 100×100 PNGs).") var input: String?
        @Option(help: "Labels CSV for --input.") var labels: String?
        @Option(help: "Pack at most this many images.") var maxImages: Int?
        @Option(help: "Store resolution.") var resolution = 64
        @Option(help: "Loader batch size.") var batch = 64

        func run() throws {
            var settings = DatasetBenchmark.Settings(imageFolder: input, labelFile: labels, maxImages: maxImages)
            settings.resolution = resolution
            settings.batchSize = batch
            try DatasetBenchmark.run(settings) { print($0) }
        }
    }

    struct PhantomBench: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "phantom",
            abstract: "Phantom rendering speed, alone and with PNG writing, per image size."
        )

        @Option(help: "Image sizes, comma-separated.") var sizes = "64,256"
        @Option(help: "Images per size.") var count = 500

        func run() throws {
            let sizeList = sizes.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !sizeList.isEmpty, sizeList.allSatisfy({ $0 > 0 }) else {
                throw ValidationError("--sizes: expected positive sizes like 64,256, got \(sizes)")
            }
            for line in try PhantomBenchmark.run(sizes: sizeList, count: count) { print(line) }
        }
    }

    struct CLAHEBench: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "clahe",
            abstract: "CLAHE on one image (default 1024×1024, clip 2, 8×8 tiles): median and minimum time."
        )

        @Option(help: "Image width.") var width = 1024
        @Option(help: "Image height.") var height = 1024
        @Option(help: "Timed repetitions.") var repeats = 20
        @Option(help: "Clip limit.") var clip: Float = 2
        @Option(help: "Tiles per side.") var tiles = 8

        func run() throws {
            guard width > 0, height > 0, repeats > 0, tiles > 0 else {
                throw ValidationError("--width, --height, --repeats and --tiles must be positive")
            }
            print(CLAHEBenchmark.run(width: width, height: height, repeats: repeats,
                                  clahe: CLAHE(clipLimit: clip, tilesX: tiles, tilesY: tiles)))
        }
    }

    struct MetricsBench: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "metrics",
            abstract: "SWD and MS-SSIM on 10,000 images at 64×64 and Fréchet on 10,000×2048, against the reference implementations."
        )

        func run() throws {
            try MetricsBenchmark.run(MetricsBenchmark.Settings()) { print($0) }
        }
    }

    struct AgeStep: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "age-step",
            abstract: "One bone-age training step of the compact network (forward, L1, backward, AdamW) against PyTorch."
        )

        @Option(help: "Input resolution.") var res = 64
        @Option(help: "Minibatch.") var batch = 32
        @Option(help: "Compact network width.") var width = 16
        @Option(help: "Timed steps.") var steps = 20
        @Option(help: "Python with torch installed, for the peer.") var python = "/usr/bin/python3"

        func validate() throws {
            guard res >= 16 else { throw ValidationError("--res must be at least 16, got \(res)") }
            guard batch > 0, width > 0, steps > 0 else {
                throw ValidationError("--batch, --width and --steps must be positive")
            }
        }

        func run() throws {
            var configuration = AgeStepBenchmark.Configuration()
            configuration.resolution = res
            configuration.batch = batch
            configuration.width = width
            configuration.steps = steps
            try AgeStepBenchmark.run(configuration, python: python) { print($0) }
        }
    }

    struct DICOMBench: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "dicom",
            abstract: "Decoding a 2,000×2,500 16-bit JPEG Lossless radiograph (made in the run) against pydicom + pylibjpeg."
        )

        @Option(help: "Image width.") var width = 2000
        @Option(help: "Image height.") var height = 2500
        @Option(help: "Timed repetitions.") var repeats = 5
        @Option(help: "Untimed warm-up runs.") var warmup = 1
        @Option(help: "Python with pydicom and pylibjpeg installed, for the peer.") var python = "/usr/bin/python3"

        func validate() throws {
            guard width > 0, height > 0, repeats > 0, warmup >= 0 else {
                throw ValidationError("--width, --height and --repeats must be positive, --warmup zero or more")
            }
        }

        func run() throws {
            var settings = DICOMBenchmark.Settings()
            settings.width = width
            settings.height = height
            settings.repeats = repeats
            settings.warmup = warmup
            settings.python = python
            try DICOMBenchmark.run(settings) { print($0) }
        }
    }
}
