/// What a key does on the main screen.
public enum KeyAction: Equatable, Sendable {
    case moveDown, moveUp, pageDown, pageUp, top, bottom, detail
    case reset, resetMany, sync, syncWorkspace, groupErrors, filter, slowDown, emergencyStop, undo, auditLog, workers
    case mark, sortNext, sortReverse, find, nextMatch, previousMatch, copyCommand
    case focusNext, focusPrevious, focus(Pane)
    case togglePolling, longerInterval, shorterInterval, nextTheme, toggleMouse, help, quit
    /// Esc: clears the marks, else the search, else the status message.
    case clear
}

/// The keys of the dashboard as data: dispatch (`Update`), the footer and the help view all read this one table,
/// so they cannot disagree. A key pressed outside its panes does nothing.
public struct KeyBinding: Equatable, Sendable {
    /// The keys as shown ("j/k").
    public var keys: String
    public var label: String
    /// What each key of the binding does.
    public var actions: [Key: KeyAction]
    /// Changes data: hidden and refused in `--read-only`.
    public var mutating: Bool
    /// The panes where the keys do something; nil for everywhere.
    public var panes: Set<Pane>?
    /// Shown in the footer; the rest only in help (`?`), to keep the footer to what matters at 80 columns.
    public var inFooter = true

    private static let lists: Set<Pane> = [.failed, .stuck]

    public static let all: [KeyBinding] = [
        KeyBinding(keys: "j/k", label: "move", actions: [.character("j"): .moveDown, .down: .moveDown,
                                                         .character("k"): .moveUp, .up: .moveUp],
                   mutating: false, panes: lists),
        KeyBinding(keys: "g/G", label: "top/bottom", actions: [.character("g"): .top, .home: .top, .character("G"): .bottom, .end: .bottom],
                   mutating: false, panes: lists, inFooter: false),
        KeyBinding(keys: "PgUp/Dn", label: "page up/down", actions: [.pageUp: .pageUp, .pageDown: .pageDown],
                   mutating: false, panes: lists, inFooter: false),
        KeyBinding(keys: "Enter", label: "detail", actions: [.enter: .detail], mutating: false, panes: lists),
        KeyBinding(keys: "r", label: "reset", actions: [.character("r"): .reset], mutating: true, panes: lists),
        KeyBinding(keys: "R", label: "reset marked/shown", actions: [.character("R"): .resetMany], mutating: true, panes: [.status, .failed]),
        KeyBinding(keys: "s", label: "sync now", actions: [.character("s"): .sync], mutating: true, panes: lists),
        KeyBinding(keys: "S", label: "sync ws", actions: [.character("S"): .syncWorkspace], mutating: true, panes: lists),
        KeyBinding(keys: "e", label: "group errors", actions: [.character("e"): .groupErrors], mutating: false, panes: [.failed]),
        KeyBinding(keys: "/", label: "filter (! inverts)", actions: [.character("/"): .filter], mutating: false, panes: lists),
        KeyBinding(keys: "m", label: "mark", actions: [.character("m"): .mark], mutating: false, panes: lists),
        KeyBinding(keys: "o/O", label: "sort: next column/reverse", actions: [.character("o"): .sortNext, .character("O"): .sortReverse],
                   mutating: false, panes: [.failed, .stuck, .tiers], inFooter: false),
        KeyBinding(keys: "f", label: "find (highlights matches)", actions: [.character("f"): .find], mutating: false, panes: lists, inFooter: false),
        KeyBinding(keys: "n/N", label: "next/previous match", actions: [.character("n"): .nextMatch, .character("N"): .previousMatch],
                   mutating: false, panes: lists, inFooter: false),
        KeyBinding(keys: "y", label: "copy wsync command", actions: [.character("y"): .copyCommand], mutating: false,
                   panes: lists, inFooter: false),
        KeyBinding(keys: "L", label: "slow down", actions: [.character("L"): .slowDown], mutating: true, panes: [.rateLimit, .tiers]),
        KeyBinding(keys: "X", label: "emergency stop", actions: [.character("X"): .emergencyStop], mutating: true, panes: nil),
        KeyBinding(keys: "u", label: "undo", actions: [.character("u"): .undo], mutating: true, panes: nil),
        KeyBinding(keys: "a", label: "audit log", actions: [.character("a"): .auditLog], mutating: false, panes: nil),
        KeyBinding(keys: "w", label: "workers", actions: [.character("w"): .workers], mutating: false, panes: nil, inFooter: false),
        KeyBinding(keys: "Tab/1-5", label: "focus",
                   actions: [.tab: .focusNext, .backTab: .focusPrevious].merging(
                       Pane.allCases.map { (Key.character(Character(String($0.rawValue))), KeyAction.focus($0)) }) { $1 },
                   mutating: false, panes: nil),
        KeyBinding(keys: "Space", label: "pause polling", actions: [.character(" "): .togglePolling, .character("p"): .togglePolling],
                   mutating: false, panes: nil),
        KeyBinding(keys: "+/-", label: "interval", actions: [.character("+"): .longerInterval, .character("="): .longerInterval, .character("-"): .shorterInterval],
                   mutating: false, panes: nil, inFooter: false),
        KeyBinding(keys: "t", label: "theme", actions: [.character("t"): .nextTheme], mutating: false, panes: nil, inFooter: false),
        KeyBinding(keys: "M", label: "mouse on/off", actions: [.character("M"): .toggleMouse], mutating: false, panes: nil, inFooter: false),
        KeyBinding(keys: "Esc", label: "clear marks/find/message", actions: [.escape: .clear], mutating: false, panes: nil, inFooter: false),
        KeyBinding(keys: "?", label: "help", actions: [.character("?"): .help], mutating: false, panes: nil),
        KeyBinding(keys: "q", label: "quit", actions: [.character("q"): .quit], mutating: false, panes: nil),
    ]

    /// The binding of `key`, wherever it applies.
    public static func binding(for key: Key) -> KeyBinding? {
        all.first { $0.actions[key] != nil }
    }

    public func applies(in pane: Pane) -> Bool {
        panes?.contains(pane) ?? true
    }

    /// The bindings that work in `pane`, pane-specific first; mutating ones left out when read-only.
    public static func available(in pane: Pane, readOnly: Bool) -> [KeyBinding] {
        let usable = all.filter { !(readOnly && $0.mutating) }
        return usable.filter { $0.panes?.contains(pane) == true } + usable.filter { $0.panes == nil }
    }
}
