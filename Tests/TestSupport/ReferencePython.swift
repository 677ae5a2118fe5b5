import Foundation

/// /usr/bin/python3, which runs the Python references (PyTorch, numpy, scikit-learn, pydicom, …).
public enum ReferencePython {
    public static let executable = "/usr/bin/python3"

    /// True when it can import torch and safetensors and OSSIFY_TESTS_NO_PYTHON is unset (which
    /// simulates a machine without them).
    public static let available: Bool = {
        guard ProcessInfo.processInfo.environment["OSSIFY_TESTS_NO_PYTHON"] == nil,
              FileManager.default.isExecutableFile(atPath: executable) else { return false }
        return (try? run(["-c", "import torch, safetensors"]).status) == 0
    }()

    /// Runs it with `arguments` (no bytecode files left in the checkout): the exit status and
    /// everything it printed; killed and thrown as `ChildProcess.TimedOut` after `seconds`.
    public static func run(_ arguments: [String], within seconds: TimeInterval = 900) throws -> (status: Int32, output: String) {
        try ChildProcess.run(executable, arguments, adding: ["PYTHONDONTWRITEBYTECODE": "1"], within: seconds)
    }
}
