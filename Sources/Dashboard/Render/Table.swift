/// A column of a list pane. Columns with lower `priority` are dropped first when the pane is narrow;
/// `flex` columns share the width left over by the fixed ones.
struct Column {
    var title: String
    var width: Int
    var flex: Int = 0
    var alignRight = false
    var priority = 0
}

/// One table row: cell texts (already safe) and a role for each.
struct TableRow {
    var cells: [String]
    var roles: [StyleRole]
}

extension Canvas {
    /// Draws a header line and the rows that fit, keeping `selected` in view; highlights it when `focused`.
    mutating func table(_ columns: [Column], rows: [TableRow], selected: Int?, focused: Bool, in rect: Rect) {
        table(columns, count: rows.count, selected: selected, focused: focused, in: rect) { rows[$0] }
    }

    /// The same for `count` rows made by `row` (nil: a blank line), which is asked only for the rows that fit: a pane
    /// of a thousand rows costs what its visible ones cost. With `marked`, a gutter marks the rows `m` marked; with
    /// `highlight`, every occurrence of the search text in a cell is highlighted.
    mutating func table(_ columns: [Column], count: Int, selected: Int?, focused: Bool, in rect: Rect,
                        marked: ((Int) -> Bool)? = nil, highlight: String? = nil, scrollTop: Int? = nil, row: (Int) -> TableRow?) {
        guard rect.width > 0, rect.height > 0 else { return }
        let gutter = marked == nil ? 0 : min(2, rect.width)
        let layout = Self.fit(columns, width: rect.width - gutter)
        var x = rect.x + gutter
        for (index, width) in layout {
            text(columns[index].title, x: x, y: rect.y, width: width, role: .dim, alignRight: columns[index].alignRight)
            x += width + 1
        }
        let visible = rect.height - 1
        guard visible > 0 else { return }
        let first = Self.firstVisibleRow(selected: selected ?? 0, count: count, visible: visible, top: scrollTop)
        for (line, rowIndex) in (first..<min(count, first + visible)).enumerated() {
            let y = rect.y + 1 + line
            let isSelected = rowIndex == selected && focused
            x = rect.x + gutter
            guard let cells = row(rowIndex) else { continue }
            if let marked, marked(rowIndex) { text("●", x: rect.x, y: y, width: gutter, role: .title) }
            var cellPlaces: [(text: String, x: Int, width: Int, alignRight: Bool)] = []
            for (index, width) in layout {
                let role = isSelected ? StyleRole.selection : cells.roles[index]
                text(cells.cells[index], x: x, y: y, width: width, role: role, alignRight: columns[index].alignRight)
                cellPlaces.append((cells.cells[index], x, width, columns[index].alignRight))
                x += width + 1
            }
            if isSelected { grid.restyle(Rect(x: rect.x, y: y, width: rect.width, height: 1), role: .selection) }
            if let highlight {
                for place in cellPlaces { highlightMatches(of: highlight, in: place.text, x: place.x, y: y, width: place.width, alignRight: place.alignRight) }
            }
        }
        moreIndicator(count - first - visible, below: rect)
    }

    /// The first row a list of `count` rows shows in `visible` lines, keeping `selected` in view: from `top` (where a
    /// click left the list, so the row clicked stays under the pointer) as far as the selection needs, else with the
    /// selection on the last line once it is past the first screen. Clicks map rows back through this too.
    static func firstVisibleRow(selected: Int, count: Int, visible: Int, top: Int? = nil) -> Int {
        let first = top.map { min(max($0, selected - visible + 1), selected) } ?? (selected - visible + 1)
        return max(0, min(first, count - visible))
    }

    /// Restyles each occurrence of `needle` (case aside) in a cell drawn at `x` as `text()` drew it.
    mutating func highlightMatches(of needle: String, in cell: String, x: Int, y: Int, width: Int, alignRight: Bool) {
        guard !needle.isEmpty, width > 0 else { return }
        let shown = DisplayWidth.truncate(cell, to: width, ellipsis: glyphs.ellipsis)
        let offset = alignRight ? width - DisplayWidth.of(shown) : 0
        var searchStart = shown.startIndex
        while let range = shown.range(of: needle, options: [.caseInsensitive], range: searchStart..<shown.endIndex), !range.isEmpty {
            let column = DisplayWidth.of(String(shown[..<range.lowerBound]))
            let matchWidth = DisplayWidth.of(String(shown[range]))
            grid.restyle(Rect(x: x + offset + column, y: y, width: min(matchWidth, width - offset - column), height: 1), role: .match)
            searchStart = range.upperBound
        }
    }

    /// "↓ N more" on the border under a clipped list.
    mutating func moreIndicator(_ hidden: Int, below rect: Rect) {
        guard hidden > 0 else { return }
        text(" ↓ \(hidden) more ", x: rect.x, y: rect.y + rect.height, width: rect.width - 1, role: .dim, alignRight: true)
    }

    /// Which columns fit and how wide each is.
    static func fit(_ columns: [Column], width: Int) -> [(Int, Int)] {
        var kept = Array(columns.indices)
        func minimum(_ set: [Int]) -> Int { set.reduce(0) { $0 + columns[$1].width } + max(0, set.count - 1) }
        while minimum(kept) > width, kept.count > 1,
              let drop = kept.min(by: { columns[$0].priority < columns[$1].priority }) {
            kept.removeAll { $0 == drop }
        }
        let spare = max(0, width - minimum(kept))
        let totalFlex = kept.reduce(0) { $0 + columns[$1].flex }
        var widths = kept.map { columns[$0].width + (totalFlex > 0 ? spare * columns[$0].flex / totalFlex : 0) }
        // Rounding leftovers go to the last flexible column so the row fills the pane exactly.
        if let last = kept.lastIndex(where: { columns[$0].flex > 0 }) {
            widths[last] += width - (widths.reduce(0, +) + kept.count - 1)
        }
        let result = zip(kept, widths).map { ($0, min(width, $1)) }
        return result
    }
}
