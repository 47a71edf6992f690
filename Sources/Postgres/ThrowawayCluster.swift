import Foundation

/// A private PostgreSQL cluster in a temporary directory: initdb + pg_ctl, listening only on a Unix socket inside
/// that directory. Used by the tests and by `wsync demo`.
///
/// PostgreSQL refuses to run as root, so as root the server runs as the `postgres` system user. A watchdog process
/// in its own session stops the server and removes the directory as soon as the owning process is gone, so a
/// crashed or killed owner never leaves a server running.
public final class ThrowawayCluster: Sendable {
    public let directory: String
    public let socketDirectory: String
    public let port = 5432
    public let superuser = "postgres"
    private let dataDirectory: String
    private let binDirectory: String
    private let runAsUser: String?

    public enum LaunchError: Error, CustomStringConvertible {
        case binariesNotFound
        case commandFailed(String, output: String)

        public var description: String {
            switch self {
            case .binariesNotFound:
                return "PostgreSQL server binaries (initdb, pg_ctl) not found: install the `postgresql` package (apt-get install postgresql)"
            case .commandFailed(let command, let output):
                let lastLine = output.split(separator: "\n").last.map(String.init) ?? ""
                return "\(command) failed: \(lastLine)"
            }
        }
    }

    /// Creates and starts a cluster; it lives until `stop()` or until process `owner` exits.
    public convenience init(owner: Int32 = getpid(), prefix: String = "wsync-pg") throws {
        try self.init(owner: owner, prefix: prefix, standbyOf: nil)
    }

    /// A hot standby of `primary`: a base backup taken over the primary's socket (pg_basebackup -R), started as a
    /// streaming replica that answers read-only queries. It lives until `stop()` or until process `owner` exits.
    public static func standby(of primary: ThrowawayCluster, owner: Int32 = getpid(), prefix: String = "wsync-pg-standby") throws -> ThrowawayCluster {
        try ThrowawayCluster(owner: owner, prefix: prefix, standbyOf: primary)
    }

    private init(owner: Int32, prefix: String, standbyOf primary: ThrowawayCluster?) throws {
        binDirectory = try Self.findBinDirectory()
        runAsUser = geteuid() == 0 ? "postgres" : nil
        let temporary = NSTemporaryDirectory().hasSuffix("/") ? String(NSTemporaryDirectory().dropLast()) : NSTemporaryDirectory()
        var template = Array("\(temporary)/\(prefix)-XXXXXX".utf8CString)
        guard let created = mkdtemp(&template) else {
            throw LaunchError.commandFailed("mkdtemp", output: String(cString: strerror(errno)))
        }
        directory = String(cString: created)
        dataDirectory = directory + "/data"
        socketDirectory = directory + "/socket"
        do {
            try FileManager.default.createDirectory(atPath: socketDirectory, withIntermediateDirectories: false)
            if let runAsUser { try Self.run("/bin/chown", ["-R", runAsUser, directory]) }
            try startWatchdog(owner: owner)
            if let primary {
                try runTool("pg_basebackup", ["-D", dataDirectory, "-h", primary.socketDirectory, "-p", String(primary.port),
                                              "-U", superuser, "-X", "stream", "-R", "--no-sync", "-c", "fast"])
            } else {
                try runTool("initdb", ["-D", dataDirectory, "-U", superuser, "-A", "trust", "-E", "UTF8", "--locale=C",
                                       "--no-sync", "--no-instructions"])
            }
            try startServer()
        } catch {
            stop()
            throw error
        }
    }

    /// A libpq conninfo string for one database of this cluster.
    public func conninfo(database: String = "postgres") -> String {
        "host=\(socketDirectory) port=\(port) user=\(superuser) dbname=\(database)"
    }

    /// The same as a postgres:// URL, for other tools and for humans.
    public func url(database: String = "postgres") -> String {
        let socket = socketDirectory.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? socketDirectory
        return "postgresql://\(superuser)@/\(database)?host=\(socket)&port=\(port)"
    }

    public func configuration(database: String = "postgres") -> ConnectionConfiguration {
        ConnectionConfiguration(conninfo: conninfo(database: database))
    }

    /// Stops the server (immediately: the data is throwaway) and removes the directory. Safe to call twice.
    public func stop() {
        if FileManager.default.fileExists(atPath: dataDirectory + "/postmaster.pid") {
            try? runTool("pg_ctl", ["-D", dataDirectory, "-m", "immediate", "-w", "stop"])
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Stops the server abruptly, keeping the data (for reconnection tests and demos).
    public func stopServer() throws {
        try runTool("pg_ctl", ["-D", dataDirectory, "-m", "immediate", "-w", "stop"])
    }

    /// `pg_ctl restart` with a shutdown mode: `fast` ends every session cleanly (SQLSTATE 57P01), `immediate` kills
    /// the server without a checkpoint, as a crash would, and the restart recovers from the WAL.
    public func restartServer(mode: String = "fast") throws {
        try runTool("pg_ctl", ["-D", dataDirectory, "-m", mode, "-l", directory + "/server.log", "-w", "-t", "60", "restart"])
    }

    /// Starts the server on the private socket only: no TCP, and durability traded for speed (the data is throwaway).
    public func startServer() throws {
        let serverOptions = "-k \(socketDirectory) -c listen_addresses='' -p \(port) -c fsync=off " +
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200 -c shared_buffers=64MB"
        do {
            try runTool("pg_ctl", ["-D", dataDirectory, "-o", serverOptions, "-l", directory + "/server.log", "-w", "-t", "60", "start"])
        } catch LaunchError.commandFailed(let command, let output) {
            // pg_ctl only says to examine the log: the server's own last words say why.
            let log = (try? String(contentsOfFile: directory + "/server.log", encoding: .utf8)) ?? ""
            let reason = log.split(separator: "\n").last { $0.contains("FATAL") || $0.contains("ERROR") }.map(String.init) ?? ""
            throw LaunchError.commandFailed(command, output: output + (reason.isEmpty ? "" : "\n" + reason))
        }
    }

    /// The server's process id while it runs.
    public var serverPID: Int32? {
        guard let text = try? String(contentsOfFile: dataDirectory + "/postmaster.pid", encoding: .utf8),
              let first = text.split(separator: "\n").first else { return nil }
        return Int32(first)
    }

    private func startWatchdog(owner: Int32) throws {
        let stopCommand = toolCommandLine("pg_ctl", ["-D", dataDirectory, "-m", "immediate", "-w", "stop"])
        let script = "while kill -0 \(owner) 2>/dev/null && [ -d \(shellQuote(directory)) ]; do sleep 1; done; " +
            "[ -f \(shellQuote(dataDirectory + "/postmaster.pid")) ] && \(stopCommand) >/dev/null 2>&1; " +
            "rm -rf \(shellQuote(directory))"
        try ChildProcess.launchDetached("/usr/bin/setsid", ["/bin/sh", "-c", script])
    }

    private func toolCommandLine(_ tool: String, _ arguments: [String]) -> String {
        let words = [binDirectory + "/" + tool] + arguments
        let prefix = runAsUser.map { "/sbin/runuser -u \($0) -- " } ?? ""
        return prefix + words.map(shellQuote).joined(separator: " ")
    }

    private func runTool(_ tool: String, _ arguments: [String]) throws {
        if let runAsUser {
            try Self.run("/sbin/runuser", ["-u", runAsUser, "--", binDirectory + "/" + tool] + arguments, name: tool)
        } else {
            try Self.run(binDirectory + "/" + tool, arguments, name: tool)
        }
    }

    private static func run(_ executable: String, _ arguments: [String], name: String? = nil) throws {
        do {
            try ChildProcess.run(executable, arguments)
        } catch let failure as ChildProcess.Failure {
            throw LaunchError.commandFailed(name ?? executable, output: failure.output)
        }
    }

    /// `pg_config --bindir`, else the newest /usr/lib/postgresql/N/bin, else PATH.
    static func findBinDirectory() throws -> String {
        let fileManager = FileManager.default
        var candidates: [String] = []
        if let bindir = try? ChildProcess.run("/usr/bin/env", ["pg_config", "--bindir"]) {
            candidates.append(bindir.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        if let versions = try? fileManager.contentsOfDirectory(atPath: "/usr/lib/postgresql") {
            candidates += versions.sorted { (Int($0) ?? 0) > (Int($1) ?? 0) }.map { "/usr/lib/postgresql/\($0)/bin" }
        }
        candidates += (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        guard let found = candidates.first(where: { fileManager.isExecutableFile(atPath: $0 + "/initdb") && fileManager.isExecutableFile(atPath: $0 + "/pg_ctl") }) else {
            throw LaunchError.binariesNotFound
        }
        return found
    }

}

private func shellQuote(_ word: String) -> String {
    "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
}
