import Foundation

/// Runs helper programs (initdb, pg_ctl; tmux in the tests) with posix_spawn and waitpid. Foundation's Process.waitUntilExit needs a
/// run loop that may never get a thread when the cooperative pool is busy, so it can hang; waitpid cannot.
public enum ChildProcess {
    public struct Failure: Error, CustomStringConvertible {
        public let status: Int32
        public let output: String
        public var description: String { "exit \(status): \(output)" }
    }

    /// Runs to completion and returns the combined stdout and stderr; throws on a non-zero exit. Output goes to
    /// an unlinked temporary file rather than a pipe: a daemon the program forks (pg_ctl's server, tmux's server)
    /// inherits the descriptor, and a pipe would then never reach end-of-file.
    @discardableResult
    public static func run(_ executable: String, _ arguments: [String]) throws -> String {
        var template = Array((NSTemporaryDirectory() + "/wsync-child-XXXXXX").utf8CString)
        let outputFile = mkstemp(&template)
        guard outputFile >= 0 else { throw Failure(status: -1, output: String(cString: strerror(errno))) }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        defer { close(outputFile) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outputFile, 1)
        posix_spawn_file_actions_adddup2(&actions, outputFile, 2)
        posix_spawn_file_actions_addclose(&actions, outputFile)
        let status = wait(for: try spawn(executable, arguments, actions: &actions))
        var output = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        var offset: off_t = 0
        while true {
            let count = pread(outputFile, &buffer, buffer.count, offset)
            if count > 0 {
                output.append(buffer, count: count)
                offset += off_t(count)
            } else if count == 0 || errno != EINTR { break }
        }
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
        // Default signal handling and an empty mask in the child: a test runner that ignores SIGHUP would otherwise
        // pass that on, and servers the child forks (tmux) could then never stop what they run.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var all = sigset_t(), none = sigset_t()
        sigfillset(&all)
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        // The child gets our environment without the secrets (tokens, the database password): it needs none.
        let environment = SecretEnvironment.scrubbedCStrings()
        defer { environment.forEach { free($0) } }
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, environment)
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
