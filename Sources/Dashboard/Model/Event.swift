import SyncEngine
import Foundation

/// Everything that can change the dashboard's state: keys, data from the poller, results of operations, time.
public enum Event: Sendable {
    case key(Key)
    case tick(Date)
    case snapshot(DashboardSnapshot)
    case connectionLost(reason: String, at: Date)
    case operationFinished(Operation, OperationOutcome)
    case operationFailed(Operation, message: String)
    case detailLoaded(jobId: UUID, runs: [SyncRun])
    case auditLoaded([AuditEntry])
    case loadFailed(message: String)
    case themeFailed(message: String)
}

/// Effects `update` asks the runtime to perform; their results come back as events.
public enum Command: Equatable, Sendable {
    case perform(Operation)
    case setInterval(seconds: Double)
    case setPolling(paused: Bool)
    case loadDetail(jobId: UUID)
    case loadAudit
    case useTheme(name: String)
    case quit
}
