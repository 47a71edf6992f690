/// A column of a list pane. Columns with lower `priority` are dropped first when the pane is narrow; the width left
/// over goes first to columns whose cells are cut (`flex` ones share it by weight), then to every column evenly,
/// so a wide pane gives each column its room instead of one blank gap.
struct Column {
    var title: String
    var width: Int
    var flex: Int = 0
    var alignRight = false
    var priority = 0
    /// What the column shows, for the help view ("att: attempts …").
    var help: String = ""
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
    /// of a thousand rows costs what its visible ones cost. Columns get the room their shown cells need; arrows on the
    /// pane's border say how many rows lie above and below. With `marked`, a gutter marks the rows `m` marked; with
    /// `highlight`, every occurrence of the search text in a cell is highlighted.
    mutating func table(_ columns: [Column], count: Int, selected: Int?, focused: Bool, in rect: Rect,
                        marked: ((Int) -> Bool)? = nil, highlight: String? = nil, scrollTop: Int? = nil, row: (Int) -> TableRow?) {
        guard rect.width > 0, rect.height > 0 else { return }
        let gutter = marked == nil ? 0 : min(2, rect.width)
        let visible = max(0, rect.height - 1)
        let first = Self.firstVisibleRow(selected: selected ?? 0, count: count, visible: visible, top: scrollTop)
        let shown = (first..<min(count, first + visible)).map { ($0, row($0)) }
        let natural = columns.indices.map { index in
            shown.reduce(DisplayWidth.of(columns[index].title)) { widest, entry in
                max(widest, entry.1.map { DisplayWidth.of($0.cells[index]) } ?? 0)
            }
        }
        let layout = Self.fit(columns, width: rect.width - gutter, natural: natural)
        var x = rect.x + gutter
        for (index, width) in layout {
            text(columns[index].title, x: x, y: rect.y, width: width, role: .dim, alignRight: columns[index].alignRight)
            x += width + 1
        }
        guard visible > 0 else { return }
        for (line, (rowIndex, cells)) in shown.enumerated() {
            let y = rect.y + 1 + line
            let isSelected = rowIndex == selected && focused
            x = rect.x + gutter
            guard let cells else { continue }
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
        scrollIndicators(above: first, below: count - first - visible, inside: rect)
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

    /// "↑ N more" on the border above and "↓ N more" on the border below a clipped list or view.
    mutating func scrollIndicators(above: Int, below: Int, inside rect: Rect) {
        moreIndicator(below, below: rect)
        guard above > 0, rect.y >= 1, rect.width > 2 else { return }
        let y = rect.y - 1, right = rect.x + rect.width
        // The title ends where the border's run of lines up to the corner begins.
        var titleEnd = right
        while titleEnd > rect.x, grid[titleEnd - 1, y].character == glyphs.horizontal { titleEnd -= 1 }
        let long = " ↑ \(above) more ", short = " ↑\(above) "
        let label = right - 1 - titleEnd >= DisplayWidth.of(long) ? long : short
        let x = max(rect.x, right - 1 - DisplayWidth.of(label))
        text(label, x: x, y: y, width: right - 1 - x, role: .dim)
    }

    /// "↓ N more" on the border under a clipped list.
    mutating func moreIndicator(_ hidden: Int, below rect: Rect) {
        guard hidden > 0 else { return }
        text(" ↓ \(hidden) more ", x: rect.x, y: rect.y + rect.height, width: rect.width - 1, role: .dim, alignRight: true)
    }

    /// Which columns fit and how wide each is. `natural` is each column's widest cell (its title included); without
    /// it, the spare width goes to the flexible columns as before.
    static func fit(_ columns: [Column], width: Int, natural: [Int]? = nil) -> [(Int, Int)] {
        var kept = Array(columns.indices)
        func minimum(_ set: [Int]) -> Int { set.reduce(0) { $0 + columns[$1].width } + max(0, set.count - 1) }
        while minimum(kept) > width, kept.count > 1,
              let drop = kept.min(by: { columns[$0].priority < columns[$1].priority }) {
            kept.removeAll { $0 == drop }
        }
        var widths = kept.map { columns[$0].width }
        var spare = max(0, width - minimum(kept))
        guard let natural else {
            let totalFlex = kept.reduce(0) { $0 + columns[$1].flex }
            widths = kept.map { columns[$0].width + (totalFlex > 0 ? spare * columns[$0].flex / totalFlex : 0) }
            if let last = kept.lastIndex(where: { columns[$0].flex > 0 }) {
                widths[last] += width - (widths.reduce(0, +) + kept.count - 1)
            }
            return zip(kept, widths).map { ($0, min(width, $1)) }
        }
        // First: short columns (names, counts, ages) whose cells are cut get their widest cell, the nearest first;
        // then the long ones (an error) share what is left by weight.
        let short = 24
        for position in kept.indices.sorted(by: { natural[kept[$0]] - widths[$0] < natural[kept[$1]] - widths[$1] })
        where natural[kept[position]] <= short && widths[position] < natural[kept[position]] {
            let grow = min(spare, natural[kept[position]] - widths[position])
            widths[position] += grow
            spare -= grow
        }
        while spare > 0 {
            let cut = kept.indices.filter { widths[$0] < natural[kept[$0]] }
            guard !cut.isEmpty else { break }
            let weights = cut.map { max(1, columns[kept[$0]].flex) }
            let total = weights.reduce(0, +)
            var given = 0
            for (n, position) in cut.enumerated() {
                let share = max(1, spare * weights[n] / total)
                let grow = min(share, natural[kept[position]] - widths[position], spare - given)
                widths[position] += grow
                given += grow
                if given == spare { break }
            }
            spare -= given
            if given == 0 { break }
        }
        // Then: what is left spreads over every column, so the table spans the pane.
        if spare > 0, !kept.isEmpty {
            for position in widths.indices { widths[position] += spare / kept.count }
            widths[widths.count - 1] += spare % kept.count
        }
        return zip(kept, widths).map { ($0, min(width, $1)) }
    }
}
