import Foundation
import ProGAN
import RunKit
import Torch

/// `ossify bench gan-step --levers`: the training step's cost with each realism lever on against
/// the plain step, in the same process, stepping every variant in turn (this machine is shared: alternating
/// spreads the noise over every variant). Mean milliseconds per step, because a lazy penalty makes
/// steps unequal. Channels-last memory is timed in the PyTorch peer (`--channels-last`) on the same
/// libtorch, on and off, since Ossify keeps NCHW-contiguous tensors.
public enum LeverStepBenchmark {
    /// The variants: a name and what it changes in the plain options.
    static var variants: [(name: String, change: (inout ProGANOptions) -> Void)] { [
        ("plain", { _ in }),
        ("host-syncs-tick", { $0.hostSyncs = .tick }),
        ("lazy-penalty-4", { o in var r = RegularisationOptions(); r.interval = 4; o.regularisation = r }),
        ("r1", { o in var r = RegularisationOptions(); r.penalty = .r1; o.regularisation = r }),
        ("r1-lazy-4", { o in var r = RegularisationOptions(); r.penalty = .r1; r.interval = 4; o.regularisation = r }),
        ("diffaugment", { $0.augment = .diffAugment }),
        ("ema-kimg", { $0.generatorEMAHalfLife = GeneratorEMAHalfLife(halfLifeKimg: 10, rampUp: 0.05) }),
    ] }

    public static func run(_ c: GANStepBenchmark.Configuration, rounds: Int = 2, python: String, emit: (String) -> Void) throws {
        let base = try GANStepBenchmark.options(c)
        let trainers = try variants.map { variant in
            var options = base
            variant.change(&options)
            return try GANStepBenchmark.ready(options, c)
        }
        let timings = try GANStepBenchmark.interleaved(trainers, steps: rounds * c.steps)
        var samples: [String: [Double]] = [:]
        for (variant, timing) in zip(variants, timings) { samples[variant.name] = timing.samplesMs }
        func mean(_ name: String) -> Double { samples[name]!.reduce(0, +) / Double(samples[name]!.count) }
        let plain = mean("plain")
        for variant in variants {
            let ms = mean(variant.name)
            emit(BenchRecord([("bench", "gan-step-levers"), ("impl", "ossify"), ("lever", variant.name), ("device", c.device.description), ("res", c.resolution),
                              ("fmap_base", c.fmapBase), ("fmap_max", c.fmapMax), ("batch", c.batch), ("rounds", rounds),
                              ("mean_step_ms", ms), ("images_per_second", Double(c.batch) / (ms / 1000)),
                              ("speed_vs_plain", plain / ms), ("threads", Runtime.threads)]).jsonLine)
        }
        var peer: [Bool: [Double]] = [:]
        for _ in 0..<rounds {
            for channelsLast in [false, true] {
                var arguments = GANStepBenchmark.peerArguments(c)
                if channelsLast { arguments.append("--channels-last") }
                do {
                    if let line = try PeerScript.jsonLines(python: python, arguments: arguments).first,
                       let ms = line["median_step_ms"] as? Double {
                        peer[channelsLast, default: []].append(ms)
                    }
                } catch {
                    emit(BenchRecord([("bench", "gan-step-levers"), ("impl", "pytorch"), ("skipped", "\(error)")]).jsonLine)
                    return
                }
            }
        }
        guard let contiguous = peer[false], let channelsLast = peer[true], !contiguous.isEmpty, !channelsLast.isEmpty else { return }
        let a = contiguous.reduce(0, +) / Double(contiguous.count), b = channelsLast.reduce(0, +) / Double(channelsLast.count)
        for (name, ms) in [("contiguous", a), ("channels-last", b)] {
            emit(BenchRecord([("bench", "gan-step-levers"), ("impl", "pytorch"), ("lever", name), ("res", c.resolution),
                              ("batch", c.batch), ("rounds", rounds), ("median_step_ms", ms),
                              ("speed_vs_contiguous", a / ms)]).jsonLine)
        }
    }
}
