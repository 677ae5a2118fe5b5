import Foundation
import RunKit
import Testing
import TorchDistributed

@Suite("Launch environments: torchrun, --nproc, SLURM")
struct LaunchEnvironmentTests {
    @Test("No launcher variables: a single process")
    func single() throws {
        #expect(try LaunchEnvironment.detect(["HOME": "/root"]) == nil)
        // A batch script's own shell is not an srun task.
        #expect(try LaunchEnvironment.detect(["SLURM_NTASKS": "4", "SLURM_PROCID": "0"]) == nil)
    }

    @Test("torchrun's variables, with and without its agent store")
    func torchrun() throws {
        let standalone = try #require(try LaunchEnvironment.detect([
            "RANK": "1", "WORLD_SIZE": "2", "LOCAL_RANK": "1", "LOCAL_WORLD_SIZE": "2", "MASTER_ADDR": "127.0.0.1",
            "MASTER_PORT": "29400", "TORCHELASTIC_RUN_ID": "x", "TORCHELASTIC_RESTART_COUNT": "0",
            "TORCHELASTIC_USE_AGENT_STORE": "False",
        ]))
        #expect(standalone.launcher == .torchrun && standalone.rank == 1 && standalone.worldSize == 2)
        #expect(!standalone.agentStore && standalone.isLoopback)
        #expect(standalone.threadsPerWorker(cores: 16) == 8)
        let agent = try #require(try LaunchEnvironment.detect([
            "RANK": "3", "WORLD_SIZE": "8", "LOCAL_RANK": "3", "LOCAL_WORLD_SIZE": "4", "MASTER_ADDR": "node7",
            "MASTER_PORT": "29500", "TORCHELASTIC_RUN_ID": "x", "TORCHELASTIC_RESTART_COUNT": "2",
            "TORCHELASTIC_USE_AGENT_STORE": "True",
        ]))
        #expect(agent.agentStore && agent.restartCount == 2 && !agent.isLoopback && agent.localWorldSize == 4)
    }

    @Test("Malformed variables are named")
    func malformed() throws {
        for (environment, variable) in [(["RANK": "2", "WORLD_SIZE": "2", "MASTER_ADDR": "h", "MASTER_PORT": "1"], "RANK"),
                                        (["RANK": "0", "WORLD_SIZE": "two"], "WORLD_SIZE"),
                                        (["RANK": "0", "WORLD_SIZE": "2", "MASTER_PORT": "29500"], "MASTER_ADDR"),
                                        (["RANK": "0", "WORLD_SIZE": "2", "MASTER_ADDR": "h", "MASTER_PORT": "99999"], "MASTER_PORT")] {
            #expect { try LaunchEnvironment.detect(environment) } throws: { error in
                error.localizedDescription.hasPrefix(variable)
            }
        }
    }

    @Test("SLURM: rank, world, local rank, rank 0's host from the node list, tasks per node")
    func slurm() throws {
        let job = try #require(try LaunchEnvironment.detect([
            "SLURM_STEP_ID": "0", "SLURM_PROCID": "5", "SLURM_NTASKS": "8", "SLURM_LOCALID": "1", "SLURM_NODEID": "2",
            "SLURM_TASKS_PER_NODE": "2(x3),2", "SLURM_JOB_NODELIST": "gpu[07-09,12],login1", "SLURM_JOB_ID": "12345",
        ]))
        #expect(job.launcher == .slurm && job.rank == 5 && job.worldSize == 8 && job.localRank == 1)
        #expect(job.localWorldSize == 2 && job.masterAddress == "gpu07" && job.masterPort == 29500 + 345)
        #expect(try SlurmNodeList.firstHost("node1") == "node1")
        #expect(try SlurmNodeList.firstHost("rack[2-3]-n[010-012],x") == "rack2-n010")
        #expect(try SlurmNodeList.taskCounts("4(x2),1") == [4, 4, 1])
        #expect(throws: DistributedError.self) { try SlurmNodeList.firstHost("node[01-") }
    }

    @Test("Shares of a count split across ranks cover it once, earlier ranks taking the remainder")
    func shares() {
        let parts = (0..<3).map { evenShare(of: 10, part: $0, parts: 3) }
        #expect(parts == [0..<4, 4..<7, 7..<10])
    }

    @Test("--nproc is removed from the workers' arguments; --nproc under torchrun is refused")
    func launcherArguments() throws {
        #expect(WorkerLauncher.removingOption("--nproc", from: ["train-age", "--nproc", "2", "--data", "x", "--nproc=3"])
                == ["train-age", "--data", "x"])
        #expect(throws: DistributedError.self) {
            _ = try WorkerLauncher(workers: 2, executable: "/bin/true", arguments: [], environment: ["RANK": "0", "WORLD_SIZE": "2"])
        }
    }
}
