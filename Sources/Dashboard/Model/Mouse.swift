import Foundation

/// A mouse event the terminal reported, with the screen size it happened on (where the panes were).
public struct MouseEvent: Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        /// The left button went down.
        case press
        case wheelUp, wheelDown
    }

    public var kind: Kind
    /// Column and row, from 0 at the top left.
    public var x: Int
    public var y: Int
    public var screen: Size

    public init(kind: Kind, x: Int, y: Int, screen: Size) {
        self.kind = kind; self.x = x; self.y = y; self.screen = screen
    }
}

/// Rows the wheel moves per notch.
let wheelStep = 3

extension DashboardState {
    /// A click focuses the pane under it and selects the row under it; the wheel scrolls the list or the view under
    /// it. Dialogs ignore the mouse: only keys answer them.
    mutating func handleMouse(_ event: MouseEvent) -> [Command] {
        guard mouseEnabled else { return [] }
        if let overlay {
            switch overlay {
            case .help, .detail, .workers, .audit:
                let key: Key? = switch event.kind { case .wheelUp: .up; case .wheelDown: .down; case .press: nil }
                if let key { for _ in 0..<wheelStep { _ = apply(.key(key)) } }
            default: break
            }
            return []
        }
        let layout = Layout(size: event.screen, state: self)
        guard let (pane, rect) = layout.panes.first(where: { $0.value.contains(x: event.x, y: event.y) }) else { return [] }
        switch event.kind {
        case .press:
            focus = pane
            guard pane.isList, let (row, first) = rowIndex(atY: event.y, in: pane, paneRect: rect) else { return [] }
            let items = items(in: pane)
            selections[pane] = Selection(key: items[row].key, index: row)
            scrollTops[pane] = first
        case .wheelUp, .wheelDown:
            focus = pane
            moveSelection(by: event.kind == .wheelUp ? -wheelStep : wheelStep)
        }
        return []
    }

    /// The list row drawn at screen row `y` of the pane drawn in `paneRect`, as the table lays it out, and the list's
    /// first shown row.
    func rowIndex(atY y: Int, in pane: Pane, paneRect: Rect) -> (row: Int, first: Int)? {
        let inside = paneRect.inset(1)
        let visible = inside.height - 1
        let line = y - inside.y - 1
        guard visible > 0, line >= 0, line < visible else { return nil }
        let items = items(in: pane)
        let first = Canvas.firstVisibleRow(selected: selectionIndex(in: pane, items: items), count: items.count, visible: visible,
                                           top: scrollTops[pane])
        let row = first + line
        return row < items.count ? (row, first) : nil
    }

    mutating func toggleMouse() -> [Command] {
        mouseEnabled.toggle()
        say(mouseEnabled ? "mouse on: click selects, the wheel scrolls (M turns it off)"
                         : "mouse off: the terminal selects and copies text again (M turns it on)", .info)
        return [.setMouse(enabled: mouseEnabled)]
    }
}

extension Rect {
    func contains(x px: Int, y py: Int) -> Bool { px >= x && px < x + width && py >= y && py < y + height }
}
