import Foundation
import ProGAN
import RunKit
import Torch
import TorchDistributed

/// `ossify bench gan-step --nproc N`: what splitting one PGGAN step over N local processes costs
/// and gains on this machine. In the same run and at the same global minibatch: one process with
/// every core; N Ossify workers over Gloo (cores / N threads each), with the bytes they all-reduce
/// per step and the time it takes; PyTorch's DistributedDataParallel on Gloo with the twin networks
/// (Benchmarks/peers/gan_step_ddp_pytorch.py), N processes with as many threads.
public enum DataParallelGANStepBenchmark {
    public static var peerScript: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("peers/gan_step_ddp_pytorch.py").path
    }

    static func fields(_ c: GANStepBenchmark.Configuration) -> [(String, Any & Sendable)] {
        [("bench", "gan-step"), ("res", c.resolution), ("fmap_base", c.fmapBase), ("fmap_max", c.fmapMax), ("latent", c.latent),
         ("batch", c.batch)]
    }

    /// One rank's part, in a worker the launcher started: rank 0 emits the job's timing.
    public static func runWorker(_ c: GANStepBenchmark.Configuration, context: DistributedContext, emit: (String) -> Void) throws {
        let (options, _) = try ProGANDataParallel.splitting(try GANStepBenchmark.options(c), over: context.size)
        let dataParallel = ProGANDataParallel(context)
        let (timing, _) = try GANStepBenchmark.time(options, c, dataParallel: dataParallel)
        guard context.isRoot else { return }
        // Every step, warm-up or timed, reduces the same bytes.
        let steps = Double(c.warmup + c.steps)
        emit(BenchRecord(fields(c) + [
            ("impl", "ossify-data-parallel"), ("backend", context.group.backend.rawValue), ("nproc", context.size),
            ("batch_per_rank", c.batch / context.size), ("threads", Runtime.threads),
            ("median_step_ms", timing.medianMs), ("images_per_second", Double(c.batch) / (timing.medianMs / 1000)),
            ("bytes_all_reduced_per_step", Int(Double(dataParallel.bytesAllReduced) / steps)),
            ("all_reduce_ms_per_step", 1000 * dataParallel.secondsAllReducing / steps),
            ("peak_memory_mb", Double(peakResidentBytes()) / 1_048_576),
        ]).jsonLine)
    }

    /// In the launching process: one process, then `nproc` workers started by `launch` (which
    /// returns what rank 0 printed), then the DDP peer; the ratios at the end.
    public static func run(_ c: GANStepBenchmark.Configuration, nproc: Int, python: String,
                           launch: () throws -> [[String: Any]], emit: (String) -> Void) throws {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        Runtime.threads = cores
        let (single, _) = try GANStepBenchmark.time(try GANStepBenchmark.options(c), c)
        emit(BenchRecord(fields(c) + [
            ("impl", "ossify"), ("nproc", 1), ("threads", Runtime.threads), ("median_step_ms", single.medianMs),
            ("images_per_second", Double(c.batch) / (single.medianMs / 1000)),
        ]).jsonLine)
        guard let parallel = try launch().first(where: { $0["impl"] as? String == "ossify-data-parallel" }),
              let parallelMs = parallel["median_step_ms"] as? Double else {
            emit(BenchRecord(fields(c) + [("impl", "ossify-data-parallel"), ("skipped", "the workers printed no result")]).jsonLine)
            return
        }
        emit(JSONLinesWriter.line(parallel))
        var ratio: [(String, Any & Sendable)] = fields(c) + [
            ("impl", "ratio"), ("nproc", nproc),
            ("one_process_over_data_parallel", single.medianMs / parallelMs),
        ]
        let arguments = [peerScript, "--res", String(c.resolution), "--fmap-base", String(c.fmapBase), "--fmap-max",
                         String(c.fmapMax), "--latent", String(c.latent), "--batch", String(c.batch), "--nproc", String(nproc),
                         "--steps", String(c.steps), "--warmup", String(c.warmup), "--threads", String(max(1, cores / nproc))]
        do {
            let peer = try PeerScript.jsonLines(python: python, arguments: arguments)
            if let line = peer.first, let theirs = line["median_step_ms"] as? Double {
                emit(JSONLinesWriter.line(line))
                ratio.append(("ddp_over_ossify", theirs / parallelMs))
            } else {
                emit(BenchRecord(fields(c) + [("impl", "pytorch-ddp"), ("skipped", "no result")]).jsonLine)
            }
        } catch {
            emit(BenchRecord(fields(c) + [("impl", "pytorch-ddp"), ("skipped", "\(error)")]).jsonLine)
        }
        emit(BenchRecord(ratio).jsonLine)
    }
}
