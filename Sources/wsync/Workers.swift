import ArgumentParser
import Foundation
import SyncEngine

struct Workers: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Worker processes: alive, hung or dead, and why due jobs are not being claimed.",
        discussion: """
            Dead: no heartbeat for --dead-after-seconds (its jobs are taken over). Hung: heartbeating but no progress \
            (a claim attempt, a page, a finished run) for --hung-after-seconds. Rows of stopped and dead workers are \
            deleted 24 hours after their last heartbeat.
            """)

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var format: JSONFlag

    @Option(help: "Seconds without a heartbeat after which a worker is dead (match the workers' --dead-after-seconds).")
    var deadAfterSeconds = 30

    @Option(help: "Seconds of heartbeats without progress after which a worker is hung.")
    var hungAfterSeconds = 300

    func validate() throws {
        guard deadAfterSeconds >= 1, hungAfterSeconds >= 1 else {
            throw ValidationError("--dead-after-seconds and --hung-after-seconds must be at least 1")
        }
    }

    func run() throws {
        let thresholds = LivenessThresholds(deadAfter: TimeSpan(seconds: deadAfterSeconds), hungAfter: TimeSpan(seconds: hungAfterSeconds))
        let report = try WorkerReport.fetch(database.connect(readOnly: true), thresholds: thresholds)
        if format.json { return try Output.json(report) }
        Output.table(
            ["STATE", "HOST", "PID", "VERSION", "JOBS", "STARTED", "HEARTBEAT", "PROGRESS"],
            report.workers.map { worker in
                [worker.state.rawValue, worker.hostname, String(worker.pid), worker.version,
                 "\(worker.currentJobs)/\(worker.concurrency)", Output.timestamp(worker.startedAt),
                 Output.timestamp(worker.heartbeatAt), Output.timestamp(worker.lastProgressAt)]
            })
        Output.claims(dueNow: report.dueNow, blockers: report.claimBlockers)
    }
}

extension Output {
    /// The due jobs and, when they wait, each reason on its own line.
    static func claims(dueNow: Int, blockers: [ClaimBlocker]) {
        print(blockers.isEmpty ? "\(dueNow) jobs due; workers are free to claim them"
                               : "\(dueNow) jobs due, not claimed because:")
        for blocker in blockers {
            let when = [blocker.since.map { "since \(timestamp($0))" }, blocker.until.map { "until \(timestamp($0))" }].compactMap { $0 }
            print("  \(blocker.reason.rawValue): \(SafeText.line(blocker.message))" + (when.isEmpty ? "" : " (\(when.joined(separator: ", ")))"))
        }
    }
}
