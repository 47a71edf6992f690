/// Drawing helpers over a `CellGrid`: boxes, padded text, gauges; all clipped to their rectangles.
struct Canvas {
    var grid: CellGrid
    let glyphs: Glyphs

    init(size: Size, glyphs: Glyphs) {
        grid = CellGrid(size: size)
        self.glyphs = glyphs
    }

    /// A border with a title on its top edge; returns the inside.
    @discardableResult
    mutating func box(_ rect: Rect, title: String, role: StyleRole, titleRole: StyleRole = .title) -> Rect {
        guard rect.width >= 2, rect.height >= 2 else { return Rect(x: rect.x, y: rect.y, width: 0, height: 0) }
        let right = rect.x + rect.width - 1, bottom = rect.y + rect.height - 1
        grid.fill(Rect(x: rect.x, y: rect.y, width: rect.width, height: 1), with: glyphs.horizontal, role: role)
        grid.fill(Rect(x: rect.x, y: bottom, width: rect.width, height: 1), with: glyphs.horizontal, role: role)
        grid.fill(Rect(x: rect.x, y: rect.y, width: 1, height: rect.height), with: glyphs.vertical, role: role)
        grid.fill(Rect(x: right, y: rect.y, width: 1, height: rect.height), with: glyphs.vertical, role: role)
        grid.write(String(glyphs.topLeft), x: rect.x, y: rect.y, role: role)
        grid.write(String(glyphs.topRight), x: right, y: rect.y, role: role)
        grid.write(String(glyphs.bottomLeft), x: rect.x, y: bottom, role: role)
        grid.write(String(glyphs.bottomRight), x: right, y: bottom, role: role)
        if rect.width > 4, !title.isEmpty {
            let shown = DisplayWidth.truncate(" \(title) ", to: rect.width - 2, ellipsis: glyphs.ellipsis)
            grid.write(shown, x: rect.x + 1, y: rect.y, role: titleRole)
        }
        let inside = rect.inset(1)
        grid.fill(inside)
        return inside
    }

    /// Text cut with an ellipsis to `width` columns; returns the columns used.
    @discardableResult
    mutating func text(_ text: String, x: Int, y: Int, width: Int, role: StyleRole = .normal, alignRight: Bool = false) -> Int {
        guard width > 0 else { return 0 }
        let cut = DisplayWidth.truncate(text, to: width, ellipsis: glyphs.ellipsis)
        let offset = alignRight ? width - DisplayWidth.of(cut) : 0
        return grid.write(cut, x: x + offset, y: y, role: role, maxWidth: width - offset) + offset
    }

    /// A horizontal gauge: `fraction` of `width` filled.
    mutating func gauge(_ fraction: Double, x: Int, y: Int, width: Int, role: StyleRole) {
        guard width > 0 else { return }
        let filled = Int((max(0, min(1, fraction)) * Double(width)).rounded())
        grid.write(String(repeating: glyphs.gaugeFull, count: filled), x: x, y: y, role: role)
        grid.write(String(repeating: glyphs.gaugeEmpty, count: width - filled), x: x + filled, y: y, role: .gaugeEmpty)
    }

    /// A sparkline of the last `width` values, scaled to the largest.
    mutating func sparkline(_ values: [Int], x: Int, y: Int, width: Int, role: StyleRole) {
        guard width > 0, !values.isEmpty else { return }
        let shown = values.suffix(width)
        let top = max(1, shown.max() ?? 1)
        let levels = glyphs.sparks.count
        let line = shown.map { glyphs.sparks[min(levels - 1, $0 * (levels - 1) / top)] }
        grid.write(String(line), x: x, y: y, role: role)
    }
}
