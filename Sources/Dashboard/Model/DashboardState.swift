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
    /// A command line the message carries (`y`): shown alone when the whole message does not fit, so that it can
    /// still be copied from the screen.
    public var command: String?
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

    /// The pane that lists it.
    public var pane: Pane {
        if case .stuck = self { .stuck } else { .failed }
    }

    /// The rows an action on this item touches.
    public var rows: [RowRef] {
        switch self {
        case .failed(let row): [row.ref]
        case .group(let group): group.rows.map(\.ref)
        case .stuck(let row): [row.ref]
        }
    }

    /// What the filter and the search look in.
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
    /// A row in full: `runs` and `job` (its ids, schedule, lease) arrive once loaded.
    case detail(item: ListItem, runs: [SyncRun]?, job: JobDetail?, scroll: Int)
    case audit(AuditView)
    /// The find prompt on the message line (`f`): the search follows the typing.
    case find(text: String)
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
    /// The column each list is sorted by (`o`, `O`); a list not here is in the engine's order.
    public var sorts: [SortableList: ListSort] = [:]
    /// Rows marked with `m`, by item key, per list pane: bulk keys act on them.
    public var marks: [Pane: Set<String>] = [:]
    /// The search `f` started: matches highlighted, `n`/`N` jump between them.
    public var search: Search?
    /// Where a click left each list's first shown row, so the rows stay put under the pointer.
    public var scrollTops: [Pane: Int] = [:]
    /// Clicks and the wheel (`--no-mouse` and `M` turn it off, so the terminal selects text again).
    public var mouseEnabled = true
    /// How copied command lines (`y`) name the database, e.g. `--database-url 'host=… dbname=…'`; nil when the
    /// dashboard uses DATABASE_URL or libpq's defaults, which the command then uses too.
    public var commandDatabaseArgument: String?

    public init(database: String, readOnly: Bool, interval: Double, now: Date, themeNames: [String], themeName: String) {
        self.database = database
        self.readOnly = readOnly
        self.interval = interval
        self.now = now
        self.themeNames = themeNames
        self.themeName = themeName
    }

    /// The rows the pane lists after grouping, filtering and sorting, in display order.
    public func items(in pane: Pane) -> [ListItem] {
        let all = unfilteredItems(in: pane)
        guard let filter = filters[pane] else { return sorted(all, in: pane) }
        return sorted(all.filter { filter.matches($0.searchText) }, in: pane)
    }

    /// How many rows `items(in:)` holds; without a filter or grouping, without building them (layout and titles ask
    /// on every frame, and a list holds up to a thousand rows).
    public func itemCount(in pane: Pane) -> Int {
        guard let snapshot, filters[pane] == nil, !(pane == .failed && groupFailedByError) else { return items(in: pane).count }
        switch pane {
        case .failed: return snapshot.failed.count
        case .stuck: return snapshot.stuck.count
        default: return 0
        }
    }

    /// The rows of the pane after grouping, before the filter, in the engine's order.
    func unfilteredItems(in pane: Pane) -> [ListItem] {
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
        return all
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
