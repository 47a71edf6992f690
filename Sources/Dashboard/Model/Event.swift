import SyncEngine
import Foundation

/// Everything that can change the dashboard's state: keys, data from the poller, results of operations, time.
public enum Event: Sendable {
    case key(Key)
    /// A click or a wheel notch (`--no-mouse` and `M` turn them off).
    case mouse(MouseEvent)
    case tick(Date)
    case snapshot(DashboardSnapshot)
    case connectionLost(reason: String, at: Date)
    case operationFinished(Operation, OperationOutcome)
    case operationFailed(Operation, message: String)
    /// The row's recent runs and, when it still exists, the job in full.
    case detailLoaded(jobId: UUID, runs: [SyncRun], job: JobDetail? = nil)
    /// The engine's count and API cost for the dialog of `operation`.
    case estimateLoaded(Operation, EstimateOutcome)
    /// The terminal's size, when it starts and whenever it changes (pages and view scrolling follow it).
    case resized(Size)
    case auditLoaded([AuditEntry])
    case loadFailed(message: String)
    case themeFailed(message: String)
    /// A line for the status bar from whoever runs the dashboard, e.g. the demo's first hint.
    case notice(message: String)
}

/// Effects `update` asks the runtime to perform; their results come back as events.
public enum Command: Equatable, Sendable {
    case perform(Operation)
    case setInterval(seconds: Double)
    case setPolling(paused: Bool)
    case loadDetail(jobId: UUID)
    /// Count the rows `operation` would sync (or make due) and estimate their API cost (`SyncEstimate`).
    case estimate(Operation)
    case loadAudit
    case useTheme(name: String)
    /// Puts text on the terminal's clipboard (OSC 52).
    case copyToClipboard(String)
    /// Turns the terminal's mouse reporting on or off.
    case setMouse(enabled: Bool)
    case quit
}
