import Foundation

/// SLURM's compressed host lists ("gpu[01-04,07],login2") and task counts ("2(x3),1"), read the
/// way `scontrol show hostnames` and srun read them.
public enum SlurmNodeList {
    /// The first host of a node list: rank 0 runs there, so it serves the store.
    public static func firstHost(_ list: String) throws -> String {
        guard let first = topLevelItems(list).first, !first.isEmpty else {
            throw DistributedError.environment(variable: "SLURM_JOB_NODELIST", "is empty")
        }
        // In each bracket group keep the first value of the first range: "node[07-09,2]" → node07.
        var host = ""
        var rest = Substring(first)
        while let open = rest.firstIndex(of: "[") {
            host += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "]") else {
                throw DistributedError.environment(variable: "SLURM_JOB_NODELIST", "has an unclosed '[' in '\(list)'")
            }
            let group = rest[rest.index(after: open)..<close]
            guard let start = group.split(separator: ",").first?.split(separator: "-").first, !start.isEmpty,
                  start.allSatisfy(\.isNumber) else {
                throw DistributedError.environment(variable: "SLURM_JOB_NODELIST", "expected numbers inside '[…]' in '\(list)'")
            }
            host += start
            rest = rest[rest.index(after: close)...]
        }
        return host + rest
    }

    /// Tasks per node in node order: "2(x3),1" → [2, 2, 2, 1].
    public static func taskCounts(_ text: String) throws -> [Int] {
        var counts: [Int] = []
        for item in text.split(separator: ",") {
            let parts = item.split(separator: "(")
            guard let count = Int(parts[0]) else {
                throw DistributedError.environment(variable: "SLURM_TASKS_PER_NODE", "expected counts like 2(x3),1, got '\(text)'")
            }
            var repeats = 1
            if parts.count == 2 {
                guard parts[1].hasPrefix("x"), parts[1].hasSuffix(")"), let r = Int(parts[1].dropFirst().dropLast()) else {
                    throw DistributedError.environment(variable: "SLURM_TASKS_PER_NODE", "expected counts like 2(x3),1, got '\(text)'")
                }
                repeats = r
            }
            counts += Array(repeating: count, count: repeats)
        }
        return counts
    }

    /// Items split at commas outside brackets.
    static func topLevelItems(_ list: String) -> [String] {
        var items: [String] = []
        var current = ""
        var depth = 0
        for character in list {
            switch character {
            case "[": depth += 1; current.append(character)
            case "]": depth -= 1; current.append(character)
            case "," where depth == 0: items.append(current); current = ""
            default: current.append(character)
            }
        }
        items.append(current)
        return items.map { $0.trimmingCharacters(in: .whitespaces) }
    }
}
