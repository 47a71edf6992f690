import Foundation
import SyncEngine

extension Canvas {
    /// "failed 24h ⣀⣀⣤⣀… 12": failed runs per half hour over the last day, and their sum.
    mutating func drawFailureHistory(_ history: ActivityHistory, x: Int, y: Int, width: Int) {
        let label = "failed 24h "
        let total = " \(Format.count(history.failedRuns))"
        let used = text(label, x: x, y: y, width: width, role: .dim)
        let room = width - used - DisplayWidth.of(total)
        guard room > 0 else { return }
        let values = history.buckets.map { Double($0.failedRuns) as Double? }
        let drawn = historyLine(values, kind: .count, x: x + used, y: y, width: room) { $0 > 0 ? .error : .dim }
        text(total, x: x + used + drawn, y: y, width: DisplayWidth.of(total), role: history.failedRuns > 0 ? .error : .ok)
    }

    /// "left 24h ⣿⣿⣶⣤⣀… low 8%": the lowest share of the rate limit left per half hour over the last day.
    mutating func drawRateLimitHistory(_ history: ActivityHistory, x: Int, y: Int, width: Int) {
        let fractions = history.buckets.map(\.rateLimitFraction)
        let label = "left 24h "
        let low = fractions.compactMap { $0 }.min()
        let suffix = low.map { " low \(Format.percent($0))" } ?? " no readings"
        let used = text(label, x: x, y: y, width: width, role: .dim)
        let room = width - used - DisplayWidth.of(suffix)
        guard room > 0 else { return }
        let drawn = historyLine(fractions, kind: .fraction, x: x + used, y: y, width: room, role: Self.budgetRole)
        text(suffix, x: x + used + drawn, y: y, width: DisplayWidth.of(suffix), role: low.map(Self.budgetRole) ?? .dim)
    }

    static func budgetRole(_ fraction: Double) -> StyleRole { fraction <= 0.1 ? .error : fraction <= 0.25 ? .warn : .gauge }

    enum HistoryKind {
        /// Counts scaled to the largest; zero is a baseline, any count at least one step above it.
        case count
        /// Shares 0…1 on a fixed scale; the lowest step is an empty budget.
        case fraction
    }

    /// A history sparkline of values at equal steps, oldest first (nil: nothing recorded, a gap), in at most `width`
    /// columns: one `sparks` level a column when they fit, else Braille, two values a column four dots high (btop's
    /// graphs). Beyond that, neighbours are merged (the larger count, the lower share) until the whole span fits. Each
    /// column is styled by `role` of its worst value. Returns the columns drawn.
    @discardableResult
    mutating func historyLine(_ values: [Double?], kind: HistoryKind, x: Int, y: Int, width: Int,
                              role: (Double) -> StyleRole) -> Int {
        guard width > 0, !values.isEmpty else { return 0 }
        // Braille only to fit twice the values; with room for one a column, block levels are finer.
        let braille = glyphs.braille && values.count > width
        let perColumn = braille ? 2 : 1
        // Pairs from the newest end, so the current half hour always has its own place.
        func merged(_ values: [Double?]) -> [Double?] {
            var result: [Double?] = []
            var end = values.count
            while end > 0 {
                let pair = values[max(0, end - 2)..<end].compactMap { $0 }
                result.append(pair.isEmpty ? nil : kind == .count ? pair.max() : pair.min())
                end -= 2
            }
            return result.reversed()
        }
        var values = values
        while values.count > width * perColumn { values = merged(values) }
        let top = max(1, values.compactMap { $0 }.max() ?? 1)
        let levels = braille ? 4 : glyphs.sparks.count
        func level(_ value: Double) -> Int {
            switch kind {
            case .count:
                // 0 is the lowest step; any count is at least the next one.
                return value <= 0 ? 0 : max(1, Int((value / top * Double(levels - 1)).rounded(.up)))
            case .fraction:
                return Int((max(0, min(1, value)) * Double(levels - 1)).rounded())
            }
        }
        func worse(_ a: StyleRole, _ b: StyleRole) -> StyleRole {
            let rank: [StyleRole: Int] = [.error: 3, .warn: 2]
            return (rank[b] ?? 0) > (rank[a] ?? 0) ? b : a
        }
        let columns = (values.count + perColumn - 1) / perColumn
        for column in 0..<columns {
            let slice = values[(column * perColumn)..<min(values.count, column * perColumn + perColumn)]
            let present = slice.compactMap { $0 }
            guard !present.isEmpty else { continue }
            let character: Character
            if braille {
                // Dots fill from the bottom: left column 7, 3, 2, 1; right column 8, 6, 5, 4.
                let left: [UInt32] = [0x40, 0x04, 0x02, 0x01], right: [UInt32] = [0x80, 0x20, 0x10, 0x08]
                var bits: UInt32 = 0
                for (side, value) in slice.enumerated() {
                    guard let value else { continue }
                    let dots = side == 0 ? left : right
                    for step in 0...level(value) { bits |= dots[step] }
                }
                character = Character(Unicode.Scalar(0x2800 + bits)!)
            } else {
                character = glyphs.sparks[level(present[0])]
            }
            let cellRole = present.map(role).reduce(present.map(role)[0], worse)
            grid.write(String(character), x: x + column, y: y, role: cellRole)
        }
        return columns
    }

    /// A list's columns with the sorted one's header marked ▲ or ▼ (wide enough for the mark, and the last to be
    /// dropped when the pane is narrow, unless the list is in the engine's order).
    static func sortable(_ columns: [Column], _ list: SortableList, state: DashboardState) -> [Column] {
        assert(columns.map(\.title) == DashboardState.sortTitles(list), "the pane's columns and its sort columns disagree")
        guard let sort = state.sort(of: list), columns.indices.contains(sort.column) else { return columns }
        var columns = columns
        var sorted = columns[sort.column]
        sorted.title += sort.descending ? "▼" : "▲"
        sorted.width = max(sorted.width, DisplayWidth.of(sorted.title))
        if state.sorts[list] != nil, sort != DashboardState.naturalSort(list) {
            sorted.priority = (columns.map(\.priority).max() ?? 0) + 1
        }
        columns[sort.column] = sorted
        return columns
    }

    /// The mark gutter's test, when the pane has marks.
    func markGutter(_ state: DashboardState, _ pane: Pane, _ items: [ListItem]) -> ((Int) -> Bool)? {
        guard let marked = state.marks[pane], !marked.isEmpty else { return nil }
        return { marked.contains(items[$0].key) }
    }
}
