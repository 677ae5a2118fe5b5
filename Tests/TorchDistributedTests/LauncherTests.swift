import Foundation
import Testing
import TorchDistributed

@Suite("--nproc's launcher: worker variables, output, a failing worker")
struct LauncherTests {
    @Test("Each worker gets its rank, the world and one port; rank 0's output comes back when asked")
    func variablesAndOutput() throws {
        var launcher = try WorkerLauncher(workers: 3, executable: "/bin/sh",
                                          arguments: ["-c", "echo $RANK $WORLD_SIZE $LOCAL_WORLD_SIZE $MASTER_ADDR $OSSIFY_LAUNCHED_BY"],
                                          environment: ["PATH": "/usr/bin:/bin"])
        launcher.capturesRootOutput = true
        #expect(try launcher.run() == ["0 3 3 127.0.0.1 ossify"])
    }

    @Test("A worker that fails stops the job: the others are ended after the grace period and the error names it")
    func failingWorker() throws {
        var launcher = try WorkerLauncher(workers: 2, executable: "/bin/sh",
                                          arguments: ["-c", "if [ \"$RANK\" = 1 ]; then exit 3; fi; exec sleep 60"],
                                          environment: ["PATH": "/usr/bin:/bin"])
        launcher.grace = 1
        let start = Date()
        #expect {
            try launcher.run()
        } throws: { error in
            guard case let .workerFailed(rank, _, status)? = error as? DistributedError else { return false }
            return rank == 1 && status == "exited with status 3"
        }
        #expect(Date().timeIntervalSince(start) < 15, "the sleeping worker was not stopped")
    }
}
