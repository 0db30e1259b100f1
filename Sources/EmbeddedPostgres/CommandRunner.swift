import CProcessSupport
import Foundation
import Glibc

/// Runs PostgreSQL's tools, as an unprivileged user when this process is root.
///
/// It spawns with `posix_spawn` and closes every descriptor above stderr in the child, because
/// `pg_ctl start` leaves a daemon behind: a daemon that inherited a pipe or Foundation's
/// process-monitoring socket would keep the caller waiting until PostgreSQL stops.
struct CommandRunner: Sendable {
    /// The account the cluster runs as when we are root; `nil` when we are not root.
    let runAsUser: String?

    /// Runs a command to completion; waits on a thread of its own, never a Swift concurrency thread.
    func run(_ executable: URL, _ arguments: [String]) async throws -> String {
        let spawned = try self.spawn(executable, arguments)
        let status: Int32 = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(returning: Self.waitForExit(spawned.pid))
            }
        }
        return try self.finish(spawned, status: status, executable: executable, arguments: arguments)
    }

    /// Runs a command to completion, blocking the calling thread (for `atexit` handlers and setup).
    func runBlocking(_ executable: URL, _ arguments: [String]) throws -> String {
        let spawned = try self.spawn(executable, arguments)
        let status = Self.waitForExit(spawned.pid)
        return try self.finish(spawned, status: status, executable: executable, arguments: arguments)
    }

    /// Starts a `/bin/sh` script and does not wait for it (it outlives this process by design).
    static func spawnDetached(script: String) throws {
        let spawned = try CommandRunner(runAsUser: nil).spawn(URL(fileURLWithPath: "/bin/sh"), ["-c", script], output: "/dev/null")
        _ = spawned
    }

    private struct Spawned {
        var pid: pid_t
        var outputPath: String
    }

    private func spawn(_ executable: URL, _ arguments: [String], output: String? = nil) throws -> Spawned {
        let argv: [String]
        if let user = self.runAsUser {
            argv = [Self.runuserPath, "-u", user, "--", executable.path] + arguments
        } else {
            argv = [executable.path] + arguments
        }
        let outputPath = output ?? FileManager.default.temporaryDirectory.appendingPathComponent("liushou-cmd-\(getpid())-\(UUID().uuidString)").path
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        liushou_spawn_actions_close_from(&actions, 3)
        var environment = ProcessInfo.processInfo.environment
        environment["LC_ALL"] = "C.UTF-8"
        let envp = environment.map { "\($0.key)=\($0.value)" }
        var pid: pid_t = 0
        let result = withCStrings(argv) { argvPointers in
            withCStrings(envp) { envPointers in
                posix_spawn(&pid, argv[0], &actions, nil, argvPointers, envPointers)
            }
        }
        guard result == 0 else {
            throw EmbeddedPostgresError.commandFailed(command: argv[0], status: result, output: String(cString: strerror(result)))
        }
        return Spawned(pid: pid, outputPath: outputPath)
    }

    private func finish(_ spawned: Spawned, status: Int32, executable: URL, arguments: [String]) throws -> String {
        let output =
            (try? String(contentsOfFile: spawned.outputPath, encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        unlink(spawned.outputPath)
        guard status == 0 else {
            throw EmbeddedPostgresError.commandFailed(
                command: ([executable.lastPathComponent] + arguments.prefix(2)).joined(separator: " "),
                status: status,
                output: output
            )
        }
        return output
    }

    /// Waits for the child and returns its exit code (128 + signal when it was killed).
    private static func waitForExit(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return -1 }
        }
        let signal = status & 0x7F
        return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
    }

    static let runuserPath: String = {
        for candidate in ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"]
        where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        return "/usr/sbin/runuser"
    }()
}

/// Calls `body` with a NULL-terminated C array of copies of `strings`.
private func withCStrings<Result>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> Result) -> Result {
    let copies = strings.map { strdup($0) }
    defer {
        for copy in copies { free(copy) }
    }
    return body(copies + [nil])
}
