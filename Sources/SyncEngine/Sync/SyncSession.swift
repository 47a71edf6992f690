import Foundation
import Postgres

/// A stop request shared by the tasks of one process (signals, 401, end of `--once`).
public final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var stopped = false

    public init() {}

    public var isSet: Bool { lock.withLock { stopped } }

    public func set() { lock.withLock { stopped = true } }

    /// Returns once the flag is set (checked every 100 ms), or when the waiting task is cancelled.
    func wait() async {
        while !isSet, !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Sleeps up to `duration`, waking early (within 100 ms) when the flag is set.
    func sleep(for duration: Duration) async {
        let deadline = ContinuousClock.now + duration
        while !isSet, ContinuousClock.now < deadline {
            try? await Task.sleep(for: min(.milliseconds(100), deadline - ContinuousClock.now))
        }
    }
}

/// One participant in syncing (a worker process or a manual sync): its registration in `wsync.workers`, a
/// control connection for heartbeats, rate-limit observations and notifications, and the GitHub client.
final class SyncSession: Sendable {
    let id: String
    let database: ConnectionConfiguration
    let control: DatabaseQueue
    let client: GitHubClient
    let notifier: EventNotifier
    let leases: LeaseSettings
    /// What the heartbeat reports besides liveness: busy slots and the last step forward.
    let progress = WorkerProgress()
    /// Shared by every slot and run of this participant.
    let refusedAuthors = RefusedAuthors()

    private init(id: String, database: ConnectionConfiguration, control: DatabaseQueue, client: GitHubClient,
                 notifier: EventNotifier, leases: LeaseSettings) {
        self.id = id
        self.database = database
        self.control = control
        self.client = client
        self.notifier = notifier
        self.leases = leases
    }

    /// Connects and registers. `recordRateLimits: false` for dry runs, which write nothing.
    static func open(
        kind: String, database: ConnectionConfiguration, github: GitHubConfiguration, retry: RetryPolicy,
        leases: LeaseSettings, concurrency: Int, rateLimitReserve: Int = 0, register: Bool
    ) async throws -> SyncSession {
        let id = "\(kind):\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier):\(UUID().uuidString.prefix(8).lowercased())"
        let control = try await DatabaseQueue.connect(database, label: "wsync.control")
        let recorder = RateLimitRecorder(database: control)
        let client = GitHubClient(configuration: github, retry: retry, onRateLimit: { snapshot in
            if register { await recorder.record(snapshot) }
        })
        if register {
            try await control.run { c in
                try JobLeases.register(c, id: id, concurrency: concurrency, rateLimitReserve: rateLimitReserve)
                try TokenBudgets.register(c, pool: github.tokens)
            }
        }
        return SyncSession(id: id, database: database, control: control, client: client,
                           notifier: EventNotifier(database: control), leases: leases)
    }

    /// Heartbeats until cancelled; a failed heartbeat is retried at the next beat (leases outlive several beats).
    /// `reconcile` (a worker, whose slots report each job they run): only the leases of jobs in progress are renewed,
    /// and leases and open runs of this holder's that no slot runs are ended — the database may have lost the
    /// commits that ended them (a crash with `synchronous_commit = off`, a failover to an asynchronous replica).
    func heartbeat(reconcile: Bool = false) -> Task<Void, Never> {
        let (control, id, leases, progress) = (control, id, leases, progress)
        return Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: leases.heartbeat)
                if Task.isCancelled { break }
                let reading = progress.reading
                _ = try? await control.run {
                    try JobLeases.heartbeat($0, id: id, settings: leases, progress: reading, inProgress: reconcile ? reading.jobs : nil)
                }
            }
        }
    }

    /// Records a slot taking or ending a job now rather than at the next heartbeat; a failure waits for that beat.
    func reportProgress() async {
        let (id, reading) = (id, progress.reading)
        _ = try? await control.run { try JobLeases.report($0, id: id, progress: reading) }
    }

    func close() async {
        let id = id
        _ = try? await control.run { try JobLeases.unregister($0, id: id) }
    }

    /// A fresh connection for one concurrent slot (a libpq connection runs one statement at a time).
    func slotConnection(_ index: Int) async throws -> DatabaseQueue {
        try await DatabaseQueue.connect(database, label: "wsync.slot.\(index)")
    }
}

/// A worker's own account of its work, written with each heartbeat: how many slots hold a job, and how long since a
/// slot last moved forward (claimed or looked for a job, stored a page, finished a run). A worker that heartbeats but
/// has not moved forward for long is hung, not dead.
final class WorkerProgress: @unchecked Sendable {
    struct Reading: Sendable {
        var currentJobs: Int
        var secondsSinceProgress: Double
        /// The jobs the slots run now.
        var jobs: [UUID] = []
    }

    private let lock = NSLock()
    private var running: [UUID: Int] = [:]
    private var last = ContinuousClock.now

    func jobStarted(_ job: UUID) { lock.withLock { running[job, default: 0] += 1; last = .now } }
    func jobEnded(_ job: UUID) {
        lock.withLock {
            running[job] = (running[job] ?? 1) > 1 ? running[job]! - 1 : nil
            last = .now
        }
    }
    func advanced() { lock.withLock { last = .now } }

    var reading: Reading {
        lock.withLock {
            let since = ContinuousClock.now - last
            return Reading(currentJobs: running.values.reduce(0, +), secondsSinceProgress: since.seconds, jobs: Array(running.keys))
        }
    }
}
