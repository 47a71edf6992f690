import Foundation
import Postgres
import SyncEngine

/// The dashboard's link to PostgreSQL. A poller thread with its own connection reads the whole snapshot in one
/// round trip per refresh and LISTENs for the engine's notifications; a second connection runs operations and
/// on-demand loads one at a time on their own queue. Results come back to the UI only as events.
public final class DatabaseEffects: DashboardEffects, @unchecked Sendable {
    let configuration: ConnectionConfiguration
    let actor: String
    /// Where `s` and `S` fetch from, or why they cannot (an unusable GITHUB_API_URL), which the keys then say.
    let github: Result<GitHubConfiguration, ConfigurationError>
    private let lock = NSLock()
    private var interval: Double
    private var paused = false
    private var stopped = false
    private var refreshRequested = false
    private(set) var inbox: EventInbox? {
        get { lock.withLock { _inbox } }
        set { lock.withLock { _inbox = newValue } }
    }
    private var _inbox: EventInbox?
    /// Operations and on-demand loads, one at a time, on the engine's queue with its reconnect.
    private let operations: DatabaseQueue

    public init(configuration: ConnectionConfiguration, github: Result<GitHubConfiguration, ConfigurationError>,
                actor: String, interval: Double) {
        self.configuration = configuration
        self.github = github
        self.actor = actor
        self.interval = interval
        operations = DatabaseQueue(configuration, label: "wsync.dashboard.operations")
    }

    public func start(posting inbox: EventInbox) {
        self.inbox = inbox
        let thread = Thread { [self] in pollLoop(inbox) }
        thread.name = "wsync-dash-poller"
        thread.start()
    }

    public func stop() {
        lock.withLock { stopped = true }
    }

    public func handle(_ command: Command) {
        switch command {
        case .setInterval(let seconds): lock.withLock { interval = seconds }
        case .setPolling(let paused):
            lock.withLock {
                self.paused = paused
                if !paused { refreshRequested = true }
            }
        case .perform(let operation) where configuration.readOnly:
            // The keys are refused before this; and the session is read-only in the server whatever path a write takes.
            inbox?.post(.operationFailed(operation, message: "read-only session: nothing was changed"))
        case .perform(let operation) where operation.syncSelection != nil: sync(operation)
        case .perform(let operation): onOperationConnection { [self] connection in
                let outcome = try perform(operation, on: connection)
                requestRefresh()
                return .operationFinished(operation, outcome)
            } failure: { .operationFailed(operation, message: $0) }
        case .loadDetail(let jobId): onOperationConnection { connection in
                // The job in full and its recent runs, in one round trip.
                let job = try JobDetail.fetch(connection, job: jobId, runs: 10)
                return .detailLoaded(jobId: jobId, runs: job?.runs ?? [], job: job)
            } failure: { .loadFailed(message: "row detail: \($0)") }
        case .estimate(let operation): onOperationConnection { connection in
                .estimateLoaded(operation, .loaded(try Self.estimate(operation, connection)))
            } failure: { .estimateLoaded(operation, .failed($0)) }
        case .loadAudit: onOperationConnection { connection in
                .auditLoaded(try AuditLog.entries(connection, limit: 200))
            } failure: { .loadFailed(message: "audit log: \($0)") }
        case .useTheme, .quit, .copyToClipboard, .setMouse: break  // handled by the UI thread
        }
    }

    func requestRefresh() { lock.withLock { refreshRequested = true } }

    private var settings: (interval: Double, paused: Bool, stopped: Bool) {
        lock.withLock { (interval, paused, stopped) }
    }

    /// Whether the UI asked for a refresh since the last call (the request is consumed).
    private func takeRefreshRequest() -> Bool {
        lock.withLock {
            defer { refreshRequested = false }
            return refreshRequested
        }
    }

    // MARK: - Poller

    private func pollLoop(_ inbox: EventInbox) {
        var connection: Connection?
        var listening = false
        var backoff = 0.5
        var saidStandby = false
        while !settings.stopped {
            if connection == nil {
                do {
                    let fresh = try Connection(configuration)
                    // A hot standby refuses LISTEN ("cannot execute LISTEN during recovery"): there the dashboard polls.
                    let standby = try Self.isInRecovery(fresh)
                    if !standby { try fresh.listen(EventChannel.name) }
                    listening = !standby
                    if standby, !saidStandby {
                        inbox.post(.notice(message: "hot standby: refreshing every interval (a replica cannot LISTEN)"))
                    }
                    saidStandby = standby
                    connection = fresh
                    backoff = 0.5
                } catch {
                    inbox.post(.connectionLost(reason: ErrorWording.line(error), at: Date()))
                    sleep(seconds: backoff)
                    backoff = min(backoff * 2, 15)
                    continue
                }
            }
            guard let live = connection else { continue }
            do {
                if !settings.paused { inbox.post(.snapshot(try DashboardSnapshot.fetch(live))) }
                try waitForNextRefresh(on: live, listening: listening)
            } catch let error as PostgresError where !live.isAlive || Self.isConnectionLoss(error) {
                connection = nil
                inbox.post(.connectionLost(reason: ErrorWording.line(error), at: Date()))
            } catch {
                // The database answered but the read failed (e.g. schema not migrated): say so, try again later.
                inbox.post(.loadFailed(message: ErrorWording.line(error)))
                sleep(seconds: settings.interval)
            }
        }
    }

    /// Returns after one interval, at once on a notification, or when the UI asked for a refresh.
    private func waitForNextRefresh(on connection: Connection, listening: Bool) throws {
        let start = Date()
        while true {
            let now = settings
            if now.stopped || takeRefreshRequest() { return }
            let remaining = now.interval - Date().timeIntervalSince(start)
            if remaining <= 0 { return }
            guard listening else {
                Thread.sleep(forTimeInterval: min(0.2, remaining))
                continue
            }
            if try connection.waitForNotification(timeout: min(0.2, remaining)) != nil {
                // Drain a burst of notifications (a worker finishing many rows) into one refresh.
                while try connection.waitForNotification(timeout: 0) != nil {}
                if !now.paused { return }
            }
        }
    }

    private func sleep(seconds: Double) {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline, !settings.stopped { Thread.sleep(forTimeInterval: 0.1) }
    }

    // MARK: - Operations

    /// Runs `work` on the operations queue with a live connection (reconnecting after a loss) and posts its event.
    private func onOperationConnection(_ work: @escaping @Sendable (Connection) throws -> Event,
                                       failure: @escaping @Sendable (String) -> Event) {
        Task { [self] in
            guard let inbox else { return }
            do {
                inbox.post(try await operations.run(work))
            } catch {
                inbox.post(failure(ErrorWording.line(error)))
            }
        }
    }

    /// Whether the server is a standby in recovery (a streaming replica).
    static func isInRecovery(_ connection: Connection) throws -> Bool {
        try connection.query("SELECT pg_is_in_recovery() AS standby").first?.decode("standby", as: Bool.self) ?? false
    }

    static func isConnectionLoss(_ error: PostgresError) -> Bool {
        error.isConnectionLoss
    }
}
