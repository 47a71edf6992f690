import SyncEngine
import Foundation

/// Whether the poller currently reaches the database.
public enum ConnectionState: Equatable, Sendable {
    case connecting
    case live
    case disconnected(since: Date, reason: String)
}

/// How old the data on screen is relative to the poll interval.
public enum Freshness: Sendable { case fresh, aging, stale }

/// A one-line message under the panes: results, refusals, errors.
public struct StatusMessage: Equatable, Sendable {
    public enum Kind: Sendable { case info, success, failure }
    public var text: String
    public var kind: Kind
    public var at: Date
}

/// The selected row of a list, remembered by identity so a refresh that reorders rows never moves it
/// onto a different row under the operator's finger.
public struct Selection: Equatable, Sendable {
    public var key: String?
    public var index: Int = 0
}

/// A filter on the focused list: substring match, or its inverse when written with a leading `!`.
public struct ListFilter: Equatable, Sendable {
    public var text: String
    public var inverted: Bool

    public init(parsing input: String) {
        inverted = input.hasPrefix("!")
        text = inverted ? String(input.dropFirst()) : input
    }

    public var display: String { (inverted ? "!" : "") + text }

    public func matches(_ haystack: String) -> Bool {
        if text.isEmpty { return true }
        return haystack.localizedCaseInsensitiveContains(text) != inverted
    }
}

/// Failed rows sharing one error message, acted on as a whole.
public struct ErrorGroup: Equatable, Sendable {
    public var error: String
    public var rows: [FailedSync]
}

/// One selectable row of the Failed or Stuck pane.
public enum ListItem: Equatable, Sendable {
    case failed(FailedSync)
    case group(ErrorGroup)
    case stuck(StuckSync)

    public var key: String {
        switch self {
        case .failed(let row): row.jobId.uuidString
        case .group(let group): "group:" + group.error
        case .stuck(let row): row.jobId.uuidString
        }
    }

    /// The rows an action on this item touches.
    public var rows: [RowRef] {
        switch self {
        case .failed(let row): [row.ref]
        case .group(let group): group.rows.map(\.ref)
        case .stuck(let row): [row.ref]
        }
    }

    var searchText: String {
        switch self {
        case .failed(let r): [r.workspace, r.repository, r.lastSyncError ?? ""].joined(separator: " ")
        case .group(let g): g.error + " " + g.rows.map(\.repository).joined(separator: " ")
        case .stuck(let r): [r.workspace, r.fullName, r.leaseOwner ?? ""].joined(separator: " ")
        }
    }
}

extension FailedSync {
    var ref: RowRef { RowRef(jobId: jobId, workspaceId: workspaceId, workspace: workspace, repository: repository) }
}

extension StuckSync {
    var ref: RowRef { RowRef(jobId: jobId, workspaceId: workspaceId, workspace: workspace, repository: fullName) }
}

/// The full-screen views over the panes.
public enum Overlay: Equatable, Sendable {
    case help(scroll: Int)
    case filter(text: String)
    case confirm(Confirmation)
    case typedConfirmation(TypedConfirmation)
    case detail(item: ListItem, runs: [SyncRun]?, scroll: Int)
    case audit(entries: [AuditEntry]?, scroll: Int)
    /// The workers' liveness and why due jobs are not claimed, from the snapshot.
    case workers(scroll: Int)
}

/// Everything the screen shows; changed only by `update`, drawn only by `render`.
public struct DashboardState: Sendable {
    public var database: String
    public var readOnly: Bool
    public var interval: Double
    public var pollingPaused = false
    public var now: Date
    public var snapshot: DashboardSnapshot?
    public var connection: ConnectionState = .connecting
    public var focus: Pane = .status
    public var selections: [Pane: Selection] = [:]
    public var filters: [Pane: ListFilter] = [:]
    public var groupFailedByError = false
    public var overlay: Overlay?
    public var message: StatusMessage?
    public var inFlight: [Operation] = []
    public var undoStack: [UndoableAction] = []
    public var themeNames: [String]
    public var themeName: String
    /// `--ascii`: draw lines and gauges with ASCII only.
    public var glyphs: Glyphs = .unicode
    /// Wall-clock times ("data as of 14:02:11") are shown in this zone.
    public var timeZone: TimeZone = .current
    /// Rendered once to text (`dash --once`): no keys in the footer, no refresh interval in the header.
    public var oneShot = false
    /// The terminal's size as last reported (`Event.resized`): a page is what fits on it.
    public var screenSize: Size?

    public init(database: String, readOnly: Bool, interval: Double, now: Date, themeNames: [String], themeName: String) {
        self.database = database
        self.readOnly = readOnly
        self.interval = interval
        self.now = now
        self.themeNames = themeNames
        self.themeName = themeName
    }

    /// The rows the pane lists after grouping and filtering, in display order.
    public func items(in pane: Pane) -> [ListItem] {
        guard let snapshot else { return [] }
        let all: [ListItem]
        switch pane {
        case .failed where groupFailedByError:
            var groups: [String: [FailedSync]] = [:]
            for row in snapshot.failed { groups[row.lastSyncError ?? "(no error recorded)", default: []].append(row) }
            all = groups.map { ListItem.group(ErrorGroup(error: $0.key, rows: $0.value)) }.sorted {
                guard case .group(let a) = $0, case .group(let b) = $1 else { return false }
                return a.rows.count != b.rows.count ? a.rows.count > b.rows.count : a.error < b.error
            }
        case .failed: all = snapshot.failed.map(ListItem.failed)
        case .stuck: all = snapshot.stuck.map(ListItem.stuck)
        default: all = []
        }
        guard let filter = filters[pane] else { return all }
        return all.filter { filter.matches($0.searchText) }
    }

    /// The selected item of a list pane, if it has any rows.
    public func selectedItem(in pane: Pane) -> ListItem? {
        let items = items(in: pane)
        guard !items.isEmpty else { return nil }
        return items[min(selectionIndex(in: pane, items: items), items.count - 1)]
    }

    /// Index of the selection among `items`: by identity when the row is still there, else by position.
    public func selectionIndex(in pane: Pane, items: [ListItem]) -> Int {
        let selection = selections[pane] ?? Selection()
        if let key = selection.key, let found = items.firstIndex(where: { $0.key == key }) { return found }
        return max(0, min(selection.index, items.count - 1))
    }

    /// Age of the data on screen, nil before the first snapshot.
    public var dataAge: TimeInterval? { snapshot.map { max(0, now.timeIntervalSince($0.takenAt)) } }

    /// How stale the panes are: amber past 2× the interval, red past 5×.
    public var freshness: Freshness {
        guard let age = dataAge else { return .fresh }
        if age > 5 * interval { return .stale }
        if age > 2 * interval { return .aging }
        return .fresh
    }
}
