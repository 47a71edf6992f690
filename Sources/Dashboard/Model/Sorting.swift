import Foundation
import SyncEngine

/// The lists that sort by a column: the failed pane's rows and its rows grouped by error, the stuck pane, the tiers.
public enum SortableList: Hashable, Sendable {
    case failed, failedGroups, stuck, tiers
}

/// Which column a list is sorted by, and which way.
public struct ListSort: Equatable, Sendable {
    public var column: Int
    public var descending: Bool

    public init(column: Int, descending: Bool) {
        self.column = column
        self.descending = descending
    }
}

/// What a row sorts by in one column: numbers by value, text alphabetically (case aside); a row without a value
/// sorts last whichever the direction.
enum SortValue: Sendable {
    case number(Double)
    case text(String)
    case missing

    /// Ascending order of two present values.
    static func ascending(_ a: SortValue, _ b: SortValue) -> Bool? {
        switch (a, b) {
        case (.number(let x), .number(let y)): x == y ? nil : x < y
        case (.text(let x), .text(let y)): x == y ? nil : x < y
        default: nil
        }
    }
}

/// A column of a sortable list: the header its pane draws (the render checks they agree) and the value each row
/// sorts by at a moment.
struct SortColumn<Row>: Sendable {
    let title: String
    /// Counts and ages sort largest first when the column is chosen; text A to Z.
    let descendingFirst: Bool
    let value: @Sendable (Row, Date) -> SortValue
}

enum SortColumns {
    static func text(_ s: String?) -> SortValue { s.map { .text($0.lowercased()) } ?? .missing }
    static func number(_ n: Double?) -> SortValue { n.map(SortValue.number) ?? .missing }

    static let failed: [SortColumn<ListItem>] = [
        SortColumn(title: "workspace", descendingFirst: false) { item, _ in text(item.failedRow?.workspace) },
        SortColumn(title: "repository", descendingFirst: false) { item, _ in text(item.failedRow?.repository) },
        SortColumn(title: "att", descendingFirst: true) { item, _ in number(item.failedRow.map { Double($0.syncAttempts) }) },
        SortColumn(title: "error", descendingFirst: false) { item, _ in text(item.failedRow?.lastSyncError) },
        // The age of the last attempt: the newest first.
        SortColumn(title: "last", descendingFirst: false) { item, now in
            number(item.failedRow?.lastAttemptAt.map { now.timeIntervalSince($0) })
        },
    ]

    static let failedGroups: [SortColumn<ListItem>] = [
        SortColumn(title: "rows", descendingFirst: true) { item, _ in number(item.group.map { Double($0.rows.count) }) },
        SortColumn(title: "error", descendingFirst: false) { item, _ in text(item.group?.error) },
        SortColumn(title: "repositories", descendingFirst: false) { item, _ in
            text(item.group?.rows.map(\.repository).joined(separator: ", "))
        },
    ]

    static let stuck: [SortColumn<ListItem>] = [
        SortColumn(title: "repository", descendingFirst: false) { item, _ in text(item.stuckRow?.fullName) },
        SortColumn(title: "workspace", descendingFirst: false) { item, _ in text(item.stuckRow?.workspace) },
        // Most overdue first is the earliest next sync; never scheduled counts as the most overdue.
        SortColumn(title: "late", descendingFirst: true) { item, _ in
            number(item.stuckRow.map { -($0.nextSyncAt ?? .distantPast).timeIntervalSince1970 })
        },
        // The lease that ended longest ago first.
        SortColumn(title: "lease", descendingFirst: false) { item, _ in number(item.stuckRow?.leaseExpiresAt?.timeIntervalSince1970) },
        SortColumn(title: "worker", descendingFirst: false) { item, _ in text(item.stuckRow?.leaseOwner) },
    ]

    static let tiers: [SortColumn<TierUsage>] = [
        SortColumn(title: "tier", descendingFirst: false) { t, _ in text(t.tier) },
        SortColumn(title: "ws", descendingFirst: true) { t, _ in number(Double(t.workspaces)) },
        SortColumn(title: "repos", descendingFirst: true) { t, _ in number(Double(t.repositoriesTracked)) },
        SortColumn(title: "use", descendingFirst: true) { t, _ in
            number(t.repositoriesAllowed > 0 ? Double(t.repositoriesTracked) / Double(t.repositoriesAllowed) : 0)
        },
        SortColumn(title: "issues", descendingFirst: true) { t, _ in number(Double(t.issuesSynced)) },
        SortColumn(title: "active", descendingFirst: true) { t, _ in number(Double(t.activeJobs)) },
        SortColumn(title: "api/mo", descendingFirst: true) { t, _ in number(t.estimatedMonthlyApiCalls) },
    ]

    /// The titles and first directions of a list's columns.
    static func shape(_ list: SortableList) -> [(title: String, descendingFirst: Bool)] {
        switch list {
        case .failed: failed.map { ($0.title, $0.descendingFirst) }
        case .failedGroups: failedGroups.map { ($0.title, $0.descendingFirst) }
        case .stuck: stuck.map { ($0.title, $0.descendingFirst) }
        case .tiers: tiers.map { ($0.title, $0.descendingFirst) }
        }
    }

    /// The order the engine delivers a list in, as a column sort (nil: the tiers' own order, which no column is).
    static func natural(_ list: SortableList) -> ListSort? {
        switch list {
        case .failed: ListSort(column: 2, descending: true)
        case .failedGroups: ListSort(column: 0, descending: true)
        case .stuck: ListSort(column: 2, descending: true)
        case .tiers: nil
        }
    }

    /// `rows` sorted by `sort`, stably: rows that tie keep the engine's order.
    static func sorted<Row>(_ rows: [Row], by sort: ListSort, columns: [SortColumn<Row>], now: Date) -> [Row] {
        guard columns.indices.contains(sort.column) else { return rows }
        let column = columns[sort.column]
        let keyed = rows.enumerated().map { (offset: $0.offset, value: column.value($0.element, now), row: $0.element) }
        return keyed.sorted { a, b in
            switch (a.value, b.value) {
            case (.missing, .missing): return a.offset < b.offset
            case (.missing, _): return false
            case (_, .missing): return true
            default:
                guard let ascending = SortValue.ascending(a.value, b.value) else { return a.offset < b.offset }
                return ascending != sort.descending
            }
        }.map(\.row)
    }
}

extension ListItem {
    var failedRow: FailedSync? { if case .failed(let row) = self { row } else { nil } }
    var stuckRow: StuckSync? { if case .stuck(let row) = self { row } else { nil } }
    var group: ErrorGroup? { if case .group(let group) = self { group } else { nil } }
}

extension DashboardState {
    /// The sortable list a pane shows now.
    public func sortableList(in pane: Pane) -> SortableList? {
        switch pane {
        case .failed: groupFailedByError ? .failedGroups : .failed
        case .stuck: .stuck
        case .tiers: .tiers
        default: nil
        }
    }

    /// How a list is sorted: as the operator chose, else the engine's order (nil for the tiers' own order).
    public func sort(of list: SortableList) -> ListSort? {
        sorts[list] ?? SortColumns.natural(list)
    }

    /// The order the engine delivers a list in, as a column sort.
    public static func naturalSort(_ list: SortableList) -> ListSort? { SortColumns.natural(list) }

    /// The column titles of a list, for the header and messages.
    public static func sortTitles(_ list: SortableList) -> [String] { SortColumns.shape(list).map(\.title) }

    /// Items in the order the operator chose; the engine's order costs nothing.
    func sorted(_ items: [ListItem], in pane: Pane) -> [ListItem] {
        guard let list = sortableList(in: pane), let sort = sort(of: list), sort != SortColumns.natural(list) else { return items }
        let columns = switch list {
        case .failed: SortColumns.failed
        case .failedGroups: SortColumns.failedGroups
        default: SortColumns.stuck
        }
        return SortColumns.sorted(items, by: sort, columns: columns, now: now)
    }

    /// The tier pane's rows in the chosen order.
    public func sortedTiers(_ tiers: [TierUsage]) -> [TierUsage] {
        guard let sort = sorts[.tiers] else { return tiers }
        return SortColumns.sorted(tiers, by: sort, columns: SortColumns.tiers, now: now)
    }

    /// `o`: the next column, in its first direction.
    mutating func sortByNextColumn() {
        guard let list = sortableList(in: focus) else { return }
        let shape = SortColumns.shape(list)
        let column = sort(of: list).map { ($0.column + 1) % shape.count } ?? 0
        sorts[list] = ListSort(column: column, descending: shape[column].descendingFirst)
        announceSort(list)
    }

    /// `O`: the same column the other way.
    mutating func reverseSort() {
        guard let list = sortableList(in: focus) else { return }
        let shape = SortColumns.shape(list)
        var next = sort(of: list) ?? ListSort(column: 0, descending: shape[0].descendingFirst)
        next.descending.toggle()
        sorts[list] = next
        announceSort(list)
    }

    private mutating func announceSort(_ list: SortableList) {
        guard let sort = sort(of: list) else { return }
        let title = SortColumns.shape(list)[sort.column].title
        say("\(focus.title) sorted by \(title) \(sort.descending ? "▼ descending" : "▲ ascending") (o next column, O reverse)", .info)
    }
}
