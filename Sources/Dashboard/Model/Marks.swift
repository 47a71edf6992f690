import Foundation
import SyncEngine

/// What a bulk key acts on: the marked rows, else the rows the filter shows, else every row of the list.
public struct BulkTarget: Equatable, Sendable {
    public enum Source: Equatable, Sendable {
        /// Rows marked with `m` (and still listed).
        case marked
        /// The rows the pane's filter shows.
        case filtered
        /// Every row; for the failed list more than the snapshot holds when `total` says so.
        case all
    }

    public var source: Source
    /// The rows, in the pane's order (every row of a marked or shown group).
    public var rows: [RowRef]
    /// How many rows the target stands for: `rows.count`, or every failed row when that is more than were loaded.
    public var total: Int

    public init(source: Source, rows: [RowRef], total: Int) {
        self.source = source; self.rows = rows; self.total = total
    }

    /// "2 marked rows", "3 rows shown by the filter", "all 1234 failed rows".
    public var description: String {
        switch source {
        case .marked: "\(total) marked \(total == 1 ? "row" : "rows")"
        case .filtered: "\(total) \(total == 1 ? "row" : "rows") shown by the filter"
        case .all: "all \(total) failed \(total == 1 ? "row" : "rows")"
        }
    }
}

extension DashboardState {
    /// The listed items marked with `m`, in display order.
    public func markedItems(in pane: Pane) -> [ListItem] {
        guard let marked = marks[pane], !marked.isEmpty else { return [] }
        return items(in: pane).filter { marked.contains($0.key) }
    }

    /// Whether the item with `key` is marked in `pane`.
    public func isMarked(_ key: String, in pane: Pane) -> Bool { marks[pane]?.contains(key) ?? false }

    /// What a bulk key pressed in `pane` acts on: the marked rows, else the filtered rows, else all rows (for the
    /// failed list, all failed rows, also those beyond the snapshot's first ones). From the status pane, every failed
    /// row.
    public func bulkTarget(in pane: Pane) -> BulkTarget {
        let list: Pane = pane.isList ? pane : .failed
        let marked = pane.isList ? markedItems(in: list) : []
        if !marked.isEmpty {
            let rows = uniqueRows(marked)
            return BulkTarget(source: .marked, rows: rows, total: rows.count)
        }
        let shown = items(in: list)
        if pane.isList, filters[list] != nil {
            let rows = uniqueRows(shown)
            return BulkTarget(source: .filtered, rows: rows, total: rows.count)
        }
        let rows = uniqueRows(list == .failed ? (snapshot?.failed ?? []).map(ListItem.failed) : shown)
        let total = list == .failed ? max(rows.count, snapshot?.failedTotal ?? 0) : rows.count
        return BulkTarget(source: .all, rows: rows, total: total)
    }

    private func uniqueRows(_ items: [ListItem]) -> [RowRef] {
        var seen = Set<UUID>()
        return items.flatMap(\.rows).filter { seen.insert($0.jobId).inserted }
    }

    /// `m`: marks the selected row (or unmarks it) and moves to the next, so a run of `m` marks a run of rows.
    mutating func toggleMark(advance: Bool = true) {
        guard focus.isList, let item = selectedItem(in: focus) else { say("no row to mark in \(focus.title)", .failure); return }
        if marks[focus, default: []].remove(item.key) == nil { marks[focus, default: []].insert(item.key) }
        if marks[focus]?.isEmpty == true { marks[focus] = nil }
        if advance { moveSelection(by: 1) }
        let count = markedItems(in: focus).count
        say(count == 0 ? "no rows marked" : "\(count) marked in \(focus.title): R acts on them; Esc clears the marks", .info)
    }

    /// Rows an operation acted on lose their marks: the bulk action they were marked for is done.
    mutating func unmark(_ rows: [RowRef]) {
        guard !rows.isEmpty else { return }
        let keys = Set(rows.map(\.jobId.uuidString))
        for (pane, marked) in marks {
            // A group's mark goes when every row of it was acted on.
            let kept = marked.filter { key in
                guard let item = unfilteredItems(in: pane).first(where: { $0.key == key }) else { return !keys.contains(key) }
                return !item.rows.allSatisfy { keys.contains($0.jobId.uuidString) }
            }
            marks[pane] = kept.isEmpty ? nil : kept
        }
    }

    /// Marks of rows no refresh lists any more are dropped: a mark never outlives its row.
    mutating func pruneMarks() {
        for (pane, marked) in marks {
            let listed = Set(unfilteredItems(in: pane).map(\.key))
            let kept = marked.intersection(listed)
            marks[pane] = kept.isEmpty ? nil : kept
        }
    }
}
