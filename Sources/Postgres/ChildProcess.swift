import Foundation

/// Runs helper programs (initdb, pg_ctl) with posix_spawn and waitpid. Foundation's Process.waitUntilExit needs a
/// run loop that may never get a thread when the cooperative pool is busy, so it can hang; waitpid cannot.
enum ChildProcess {
    struct Failure: Error {
        let status: Int32
        let output: String
    }

    /// Runs to completion and returns the combined stdout and stderr; throws on a non-zero exit.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) throws -> String {
        var pipeEnds: [Int32] = [0, 0]
        guard pipe(&pipeEnds) == 0 else { throw Failure(status: -1, output: String(cString: strerror(errno))) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], 1)
        posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], 2)
        posix_spawn_file_actions_addclose(&actions, pipeEnds[0])
        posix_spawn_file_actions_addclose(&actions, pipeEnds[1])
        let pid = try spawn(executable, arguments, actions: &actions)
        close(pipeEnds[1])
        var output = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(pipeEnds[0], &buffer, buffer.count)
            if count > 0 { output.append(buffer, count: count) } else if count == 0 || errno != EINTR { break }
        }
        close(pipeEnds[0])
        let status = wait(for: pid)
        let text = String(decoding: output, as: UTF8.self)
        guard status == 0 else { throw Failure(status: status, output: text) }
        return text
    }

    /// Starts a program detached from our stdio and does not wait for it.
    static func launchDetached(_ executable: String, _ arguments: [String]) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for descriptor: Int32 in [0, 1, 2] {
            posix_spawn_file_actions_addopen(&actions, descriptor, "/dev/null", descriptor == 0 ? O_RDONLY : O_WRONLY, 0)
        }
        let pid = try spawn(executable, arguments, actions: &actions)
        // Reap it in the background so it never lingers as a zombie while we live.
        Thread.detachNewThread { _ = wait(for: pid) }
    }

    private static func spawn(_ executable: String, _ arguments: [String], actions: inout posix_spawn_file_actions_t) throws -> pid_t {
        var pid: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let result = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard result == 0 else { throw Failure(status: result, output: "cannot run \(executable): \(String(cString: strerror(result)))") }
        return pid
    }

    private static func wait(for pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            if errno != EINTR { return -1 }
        }
        // WIFEXITED / WEXITSTATUS are macros; decode the status word by hand.
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }
}
