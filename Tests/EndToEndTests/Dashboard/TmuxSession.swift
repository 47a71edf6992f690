import Foundation
import Postgres

/// A detached tmux session running a command at a fixed size: send keys, read the screen, resize.
/// Each session gets its own tmux server socket so tests never touch the user's tmux.
final class TmuxSession {
    let name: String
    private let socket: String

    /// `environment` entries are set for the command; a nil value removes the variable.
    init(command: [String], width: Int, height: Int, environment: [String: String?] = [:]) throws {
        name = "wsync-e2e-\(UUID().uuidString.prefix(8))"
        socket = FileManager.default.temporaryDirectory.appendingPathComponent("\(name).sock").path
        // env takes its -u options before any NAME=VALUE.
        let unset = environment.filter { $0.value == nil }.keys.sorted().map { "-u \($0)" }
        let set = environment.compactMap { name, value in value.map { "\(name)=\(Self.quote($0))" } }.sorted()
        let env = (unset + set).joined(separator: " ")
        // The status is kept before the blank line's echo, whose own status $? would otherwise report.
        let shell = "env \(env) \(command.map(Self.quote).joined(separator: " ")); status=$?; echo; echo \"[exited $status]\"; sleep 3600"
        try tmux(["new-session", "-d", "-s", name, "-x", String(width), "-y", String(height), shell])
    }

    deinit { close() }

    /// Ends the session and its tmux server (and with them whatever still runs in it).
    func close() {
        _ = try? tmux(["kill-server"])
        try? FileManager.default.removeItem(atPath: socket)
    }

    /// Kills the session alone, as `tmux kill-session` does (the server goes with its last session).
    func killSession() throws { try tmux(["kill-session", "-t", name]) }

    func send(_ keys: String...) throws { try tmux(["send-keys", "-t", name] + keys) }

    /// Sends text literally (no key-name lookup).
    func type(_ text: String) throws { try tmux(["send-keys", "-t", name, "-l", text]) }

    /// Any other tmux command on this session's server (options, paste buffers, formats).
    @discardableResult
    func command(_ arguments: String...) throws -> String { try tmux(arguments) }

    /// A format of the session's pane, e.g. `#{mouse_any_flag}`.
    func display(_ format: String) throws -> String {
        try tmux(["display-message", "-p", "-t", name, format]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func resize(width: Int, height: Int) throws {
        try tmux(["resize-window", "-t", name, "-x", String(width), "-y", String(height)])
    }

    /// The visible screen as text; with `escapes`, including the colour and attribute escapes tmux keeps.
    func screen(escapes: Bool = false) throws -> String {
        try tmux(["capture-pane", "-p", "-t", name] + (escapes ? ["-e"] : []))
    }

    /// Polls the screen until `predicate` holds on a settled screen or `timeout` passes; returns the
    /// last screen either way. Settled means a second capture shortly after is the same: a capture can
    /// land while a frame is still arriving through the terminal, half old and half new.
    @discardableResult
    func waitFor(timeout: TimeInterval = 10, _ predicate: (String) -> Bool) throws -> (Bool, String) {
        let deadline = Date().addingTimeInterval(timeout)
        var last = ""
        while Date() < deadline {
            last = try screen()
            if predicate(last) {
                Thread.sleep(forTimeInterval: 0.05)
                let again = try screen()
                if again == last { return (true, last) }
                last = again
                continue
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return (false, last)
    }

    /// Through posix_spawn and waitpid: Foundation's Process would wait for the tmux server that
    /// `new-session` forks, because the server inherits the descriptor Process watches for the exit.
    @discardableResult
    private func tmux(_ arguments: [String]) throws -> String {
        do {
            return try ChildProcess.run(Self.executable, ["-S", socket] + arguments)
        } catch let failure as ChildProcess.Failure {
            throw TmuxError(message: "tmux \(arguments.first ?? ""): \(failure.output)")
        }
    }

    private static let executable = ["/usr/bin/tmux", "/usr/local/bin/tmux", "/bin/tmux"]
        .first { FileManager.default.isExecutableFile(atPath: $0) } ?? "/usr/bin/tmux"

    private static func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}

struct TmuxError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
