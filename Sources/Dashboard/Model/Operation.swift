import Foundation

/// A row of workspace_tracked_repositories as the dashboard names it in dialogs and messages.
public struct RowRef: Equatable, Sendable {
    public var jobId: UUID
    public var workspaceId: UUID
    public var workspace: String
    public var repository: String

    public init(jobId: UUID, workspaceId: UUID, workspace: String, repository: String) {
        self.jobId = jobId; self.workspaceId = workspaceId; self.workspace = workspace; self.repository = repository
    }
}

/// A mutation the operator asked for; the runtime performs it through the engine function the CLI uses.
public enum Operation: Equatable, Sendable {
    case reset([RowRef])
    case resetAllFailed
    case syncRow(RowRef)
    /// Several rows at once (marked or filtered rows).
    case syncRows([RowRef])
    case syncWorkspace(workspaceId: UUID, name: String)
    case stopAll(reason: String)
    case slowDown
    case undo(UndoableAction)

    /// The rows it acts on, where it names them.
    public var rows: [RowRef] {
        switch self {
        case .reset(let rows): rows
        case .syncRow(let row): [row]
        default: []
        }
    }

    /// How messages and progress lines describe it.
    public var summary: String {
        switch self {
        case .reset(let rows) where rows.count == 1: "reset \(rows[0].repository) in \(rows[0].workspace)"
        case .reset(let rows): "reset \(rows.count) failed rows"
        case .resetAllFailed: "reset all failed rows"
        case .syncRow(let row): "sync \(row.repository) in \(row.workspace)"
        case .syncRows(let rows): "sync \(rows.count) rows"
        case .syncWorkspace(_, let name): "sync workspace \(name)"
        case .stopAll: "emergency stop"
        case .slowDown: "slow down"
        case .undo(let action): "undo \(action.summary)"
        }
    }
}

/// An action of this session that the engine can undo (`u`).
public struct UndoableAction: Equatable, Sendable {
    public var actionId: Int64
    public var summary: String

    public init(actionId: Int64, summary: String) {
        self.actionId = actionId; self.summary = summary
    }
}

/// What the engine reported back for an operation.
public struct OperationOutcome: Equatable, Sendable {
    public var message: String
    public var undoable: UndoableAction?

    public init(message: String, undoable: UndoableAction? = nil) {
        self.message = message; self.undoable = undoable
    }
}
