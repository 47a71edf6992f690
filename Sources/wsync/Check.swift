import ArgumentParser
import Foundation
import Postgres
import SyncEngine

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Cron alert: exit 1 with one ALERT: line when too many syncs keep failing; exit 0 when healthy.",
        discussion: "Also compares the dashboard's rollup of counts with a full count, and rebuilds it (saying so) when they differ.")

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Alert when more than this many syncs are failing.")
    var maxFailed = 5

    @Option(help: "Count failed syncs with more than this many attempts.")
    var minAttempts = 3

    @Option(help: ArgumentHelp("Run this shell command with the alert text on stdin (instead of the guide's mail).", valueName: "cmd"))
    var notifyCommand: String?

    @Flag(help: "Print nothing when healthy (cron mails any output).")
    var quiet = false

    func validate() throws {
        guard maxFailed >= 0 else { throw ValidationError("--max-failed must be 0 or more") }
        guard minAttempts >= 0 else { throw ValidationError("--min-attempts must be 0 or more") }
    }

    func run() throws {
        let connection = try database.connect()
        // The dashboard's counts come from a rollup its triggers keep; a drift (writes that bypassed them) is repaired
        // here and said, whatever --quiet says.
        for drift in try DashboardRollup.repairDrift(connection, actor: osUserName) {
            print(SafeText.line("REPAIRED: the dashboard rollup had drifted from a full count, rebuilt: \(drift)"))
        }
        let alert = try SyncAlert.fetch(connection, maxFailed: maxFailed, minAttempts: minAttempts)
        if alert.isAlerting || !quiet { print(SafeText.line(alert.message)) }
        guard alert.isAlerting else { return }
        if let notifyCommand { try notify(notifyCommand, text: alert.message) }
        throw ExitCode.failure
    }

    private func notify(_ command: String, text: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        // The notify command gets wsync's environment without its secrets (GitHub tokens, the database password).
        process.environment = SecretEnvironment.scrubbed()
        let input = Pipe()
        process.standardInput = input
        do {
            try process.run()
        } catch {
            throw WSyncError.failed("cannot run --notify-command: \(error.localizedDescription)")
        }
        // A command that does not read its stdin (or exits first) closes the pipe: that is its business, not a
        // failure of the check (SIGPIPE is ignored process-wide, so the write just fails).
        try? input.fileHandleForWriting.write(contentsOf: Data((text + "\n").utf8))
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw WSyncError.failed("--notify-command exited with status \(process.terminationStatus); the alert was: \(text)")
        }
    }
}
