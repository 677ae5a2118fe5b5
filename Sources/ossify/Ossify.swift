import ArgumentParser
import Foundation
import OssifyBench
import Torch

@main
struct Ossify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ossify",
        abstract: "Synthetic pediatric hand radiographs: PGGAN, bone-age CNN, metrics and latent-space tools on libtorch.",
        version: "ossify 0.1.0 (libtorch \(Runtime.version))",
        subcommands: [Doctor.self, Phantom.self, Prepare.self, DatasetCommand.self, TrainGAN.self, Generate.self, TrainAge.self, PredictAge.self, EvalAge.self, Features.self, Metric.self, Evaluate.self, Latent.self, Report.self, Demo.self, AtlasCommand.self, Bench.self]
    )
}
