import EmbeddedPostgres
import Foundation
import Glibc

/// Faults done to a private test cluster the way an operator or the kernel would do them.
public enum ClusterFaults {
    /// Stops (SIGSTOP) the postmaster and every process it started: a hung database whose sockets
    /// stay open. Returns the processes, for `resume`.
    public static func freeze(_ cluster: EmbeddedPostgres) throws -> [Int32] {
        guard let postmaster = cluster.postmasterPID else { throw CocoaError(.fileNoSuchFile) }
        let processes = [postmaster] + Self.children(of: postmaster)
        for pid in processes { kill(pid, SIGSTOP) }
        return processes
    }

    /// Resumes (SIGCONT) frozen processes.
    public static func resume(_ processes: [Int32]) {
        for pid in processes { kill(pid, SIGCONT) }
    }

    /// Kills the postmaster with SIGKILL, as the OOM killer does.
    public static func killPostmaster(_ cluster: EmbeddedPostgres) throws {
        guard let postmaster = cluster.postmasterPID else { throw CocoaError(.fileNoSuchFile) }
        kill(postmaster, SIGKILL)
    }

    private static func children(of parent: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { Int32($0) }.filter { pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else {
                return false
            }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 1 && Int32(fields[1]) == parent
        }
    }
}
