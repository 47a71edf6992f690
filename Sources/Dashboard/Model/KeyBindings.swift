/// What a key does on the main screen, in a view (help, detail, audit log, workers) or in a dialog.
public enum KeyAction: Equatable, Sendable {
    case moveDown, moveUp, pageDown, pageUp, top, bottom, detail
    case reset, resetMany, sync, syncWorkspace, groupErrors, filter, slowDown, emergencyStop, undo, auditLog, workers
    case mark, sortNext, sortReverse, find, nextMatch, previousMatch, copyCommand
    case focusNext, focusPrevious, focus(Pane)
    case togglePolling, longerInterval, shorterInterval, nextTheme, toggleMouse, help, quit
    /// Esc: clears the marks, else the search, else the status message.
    case clear
    /// Views: back to the panes.
    case close
    /// Dialogs: the one answer that proceeds; and the way out.
    case answerYes, cancel
}

/// Whether a key asks before it acts, and how (the help view, README's key table and the dialogs say the same).
public enum Asking: Equatable, Sendable {
    case never
    /// A yes/no dialog with the count and, for rows that will sync, the estimated API cost; No is the default.
    case always
    /// Asks only when it acts on more than one row (an error group).
    case forManyRows
    /// Proceeds only when the word is typed.
    case typed(String)

    /// "asks first", "asks for a group", "type STOP"; nil when it never asks.
    public var note: String? {
        switch self {
        case .never: nil
        case .always: "asks first"
        case .forManyRows: "asks first for a group"
        case .typed(let word): "type \(word) to confirm"
        }
    }
}

/// The keys of the dashboard as data: dispatch (`Update`), the footer, the help view and README's key table
/// (`wsync docs keys`) all read these tables, so they cannot disagree. A key pressed outside its panes does nothing.
public struct KeyBinding: Equatable, Sendable {
    /// Where a binding's keys are read.
    public enum Context: Equatable, Sendable {
        /// The five panes.
        case main
        /// A scrolling view over them: help, a row's detail, the audit log, the workers.
        case view
        /// A confirmation dialog.
        case dialog
    }

    /// The keys as shown ("j/k").
    public var keys: String
    /// The binding's other keys, for help and README ("↓/↑"): with `keys`, every key it binds.
    public var also: String?
    /// The footer's short label.
    public var label: String
    /// What each key of the binding does.
    public var actions: [Key: KeyAction]
    /// Changes data: hidden and refused in `--read-only`.
    public var mutating: Bool
    /// The panes where the keys do something; nil for everywhere.
    public var panes: Set<Pane>?
    /// Shown in the footer; the rest only in help (`?`), to keep the footer to what matters at 80 columns.
    public var inFooter = true
    /// What it does, in full (help and README).
    public var help: String
    public var asks: Asking = .never
    /// The label while what it toggles is on ("resume polling" while polling is paused).
    public var labelWhenOn: String?
    public var context: Context = .main

    public init(keys: String, also: String? = nil, label: String, actions: [Key: KeyAction], mutating: Bool, panes: Set<Pane>?,
                inFooter: Bool = true, help: String? = nil, asks: Asking = .never, labelWhenOn: String? = nil,
                context: Context = .main) {
        self.keys = keys
        self.also = also
        self.label = label
        self.actions = actions
        self.mutating = mutating
        self.panes = panes
        self.inFooter = inFooter
        self.help = help ?? label
        self.asks = asks
        self.labelWhenOn = labelWhenOn
        self.context = context
    }

    private static let lists: Set<Pane> = [.failed, .stuck]

    /// The main screen's keys.
    public static let all: [KeyBinding] = [
        KeyBinding(keys: "j/k", also: "↓/↑", label: "move", actions: [.character("j"): .moveDown, .down: .moveDown,
                                                                      .character("k"): .moveUp, .up: .moveUp],
                   mutating: false, panes: lists, help: "move the selection down / up"),
        KeyBinding(keys: "g/G", also: "Home/End", label: "top/bottom",
                   actions: [.character("g"): .top, .home: .top, .character("G"): .bottom, .end: .bottom],
                   mutating: false, panes: lists, inFooter: false, help: "first / last row"),
        KeyBinding(keys: "PgUp/PgDn", label: "page", actions: [.pageUp: .pageUp, .pageDown: .pageDown],
                   mutating: false, panes: lists, inFooter: false, help: "a page up / down"),
        KeyBinding(keys: "Enter", label: "detail", actions: [.enter: .detail], mutating: false, panes: lists,
                   help: "the row's detail: full error, lease, recent runs"),
        KeyBinding(keys: "r", label: "reset", actions: [.character("r"): .reset], mutating: true, panes: lists,
                   help: "reset the selected row: attempts 0, due now, error cleared, a dead worker's lease released",
                   asks: .forManyRows),
        KeyBinding(keys: "R", label: "reset marked/shown", actions: [.character("R"): .resetMany], mutating: true, panes: [.status, .failed],
                   help: "reset the marked rows, else the rows shown (all, or the filter's), leaving those already queued for retry",
                   asks: .always),
        KeyBinding(keys: "s", label: "sync now", actions: [.character("s"): .sync], mutating: true, panes: lists,
                   help: "sync the selected row from GitHub now", asks: .always),
        KeyBinding(keys: "S", label: "sync ws", actions: [.character("S"): .syncWorkspace], mutating: true, panes: lists,
                   help: "sync every active row of the selected row's workspace now", asks: .always),
        KeyBinding(keys: "e", label: "group errors", actions: [.character("e"): .groupErrors], mutating: false, panes: [.failed],
                   help: "group failed rows by error (again: ungroup)"),
        KeyBinding(keys: "/", label: "filter", actions: [.character("/"): .filter], mutating: false, panes: lists,
                   help: "filter the rows as you type (a leading ! inverts)"),
        KeyBinding(keys: "m", label: "mark", actions: [.character("m"): .mark], mutating: false, panes: lists,
                   help: "mark or unmark the row: bulk keys act on the marked rows (the count is in the title)"),
        KeyBinding(keys: "o/O", label: "sort: next column/reverse", actions: [.character("o"): .sortNext, .character("O"): .sortReverse],
                   mutating: false, panes: [.failed, .stuck, .tiers], inFooter: false,
                   help: "sort by the next column / reverse the order (▲/▼ in the column's title)"),
        KeyBinding(keys: "f", label: "find", actions: [.character("f"): .find], mutating: false, panes: lists, inFooter: false,
                   help: "find: highlight the rows that match"),
        KeyBinding(keys: "n/N", label: "next/previous match", actions: [.character("n"): .nextMatch, .character("N"): .previousMatch],
                   mutating: false, panes: lists, inFooter: false, help: "jump to the next / previous match"),
        KeyBinding(keys: "y", label: "copy wsync command", actions: [.character("y"): .copyCommand], mutating: false,
                   panes: lists, inFooter: false, help: "copy a ready wsync command line for the row"),
        KeyBinding(keys: "L", label: "slow down", actions: [.character("L"): .slowDown], mutating: true, panes: [.rateLimit, .tiers],
                   help: "slow down: the rate-limit emergency step (frequencies doubled, 48–168 h)", asks: .always),
        KeyBinding(keys: "X", label: "emergency stop", actions: [.character("X"): .emergencyStop], mutating: true, panes: nil,
                   help: "emergency stop: deactivate every active row and pause syncing", asks: .typed(stopConfirmationWord)),
        KeyBinding(keys: "u", label: "undo", actions: [.character("u"): .undo], mutating: true, panes: nil,
                   help: "undo this session's last undoable action", asks: .always),
        KeyBinding(keys: "a", label: "audit log", actions: [.character("a"): .auditLog], mutating: false, panes: nil,
                   help: "the audit log: every operator action"),
        KeyBinding(keys: "w", label: "workers", actions: [.character("w"): .workers], mutating: false, panes: nil, inFooter: false,
                   help: "the workers: alive, hung, dead, and why due jobs are not claimed"),
        KeyBinding(keys: "Tab/1-5", also: "Shift-Tab", label: "focus",
                   actions: [.tab: .focusNext, .backTab: .focusPrevious].merging(
                       Pane.allCases.map { (Key.character(Character(String($0.rawValue))), KeyAction.focus($0)) }) { $1 },
                   mutating: false, panes: nil, help: "focus the next pane (Shift-Tab: previous), or pane 1–5"),
        KeyBinding(keys: "Space", also: "p", label: "pause polling", actions: [.character(" "): .togglePolling, .character("p"): .togglePolling],
                   mutating: false, panes: nil, help: "pause or resume polling: the screen keeps its data, syncing goes on",
                   labelWhenOn: "resume polling"),
        KeyBinding(keys: "+/-", also: "=", label: "interval", actions: [.character("+"): .longerInterval, .character("="): .longerInterval, .character("-"): .shorterInterval],
                   mutating: false, panes: nil, inFooter: false, help: "refresh less / more often"),
        KeyBinding(keys: "t", label: "theme", actions: [.character("t"): .nextTheme], mutating: false, panes: nil, inFooter: false,
                   help: "next theme"),
        KeyBinding(keys: "M", label: "mouse on/off", actions: [.character("M"): .toggleMouse], mutating: false, panes: nil, inFooter: false,
                   help: "mouse on / off (off: the terminal selects text again)"),
        KeyBinding(keys: "Esc", label: "clear marks/find/message", actions: [.escape: .clear], mutating: false, panes: nil, inFooter: false,
                   help: "clear the marks, else the search, else the status message"),
        KeyBinding(keys: "?", label: "help", actions: [.character("?"): .help], mutating: false, panes: nil,
                   help: "help: every key by pane, what the columns and colours mean"),
        KeyBinding(keys: "q", label: "quit", actions: [.character("q"): .quit], mutating: false, panes: nil,
                   help: "quit (Ctrl-C too, anywhere)"),
    ]

    /// The keys of the scrolling views (help, detail, audit log, workers).
    public static let views: [KeyBinding] = [
        KeyBinding(keys: "j/k", also: "↓/↑", label: "scroll",
                   actions: [.character("j"): .moveDown, .down: .moveDown, .character("k"): .moveUp, .up: .moveUp],
                   mutating: false, panes: nil, help: "scroll a line", context: .view),
        KeyBinding(keys: "PgUp/PgDn", label: "page", actions: [.pageUp: .pageUp, .pageDown: .pageDown],
                   mutating: false, panes: nil, help: "scroll a page", context: .view),
        KeyBinding(keys: "g/G", also: "Home/End", label: "top/bottom",
                   actions: [.character("g"): .top, .home: .top, .character("G"): .bottom, .end: .bottom],
                   mutating: false, panes: nil, help: "first / last line", context: .view),
        KeyBinding(keys: "Esc", also: "Enter/q", label: "back", actions: [.escape: .close, .enter: .close, .character("q"): .close],
                   mutating: false, panes: nil, help: "back to the panes (? and w also close the view they opened)", context: .view),
    ]

    /// The keys of the confirmation dialogs.
    public static let dialogs: [KeyBinding] = [
        KeyBinding(keys: "y", also: "Y", label: "yes", actions: [.character("y"): .answerYes, .character("Y"): .answerYes],
                   mutating: false, panes: nil, help: "yes: go ahead (any other key is No, the default)", context: .dialog),
        KeyBinding(keys: "Esc", label: "cancel", actions: [.escape: .cancel],
                   mutating: false, panes: nil, help: "cancel (a typed confirmation: Enter checks the word)", context: .dialog),
    ]

    /// Every binding of every context, for help and README.
    public static var everything: [KeyBinding] { all + views + dialogs }

    /// The binding of `key` on the main screen, wherever it applies.
    public static func binding(for key: Key) -> KeyBinding? {
        all.first { $0.actions[key] != nil }
    }

    /// What `key` does in a view or dialog, if anything.
    public static func action(for key: Key, in context: Context) -> KeyAction? {
        let table = context == .view ? views : context == .dialog ? dialogs : all
        return table.lazy.compactMap { $0.actions[key] }.first
    }

    public func applies(in pane: Pane) -> Bool {
        panes?.contains(pane) ?? true
    }

    /// Every key of the binding as help and README name them: "j/k ↓/↑".
    public var allKeys: String { [keys, also].compactMap { $0 }.joined(separator: " ") }

    /// How help and README name a key ("↓", "PgDn", "Shift-Tab", "Space").
    public static func name(of key: Key) -> String {
        switch key {
        case .character(" "): "Space"
        case .character(let c): String(c)
        case .enter: "Enter"
        case .escape: "Esc"
        case .tab: "Tab"
        case .backTab: "Shift-Tab"
        case .backspace: "Backspace"
        case .up: "↑"
        case .down: "↓"
        case .pageUp: "PgUp"
        case .pageDown: "PgDn"
        case .home: "Home"
        case .end: "End"
        case .controlC: "Ctrl-C"
        }
    }

    /// The label to show now: `labelWhenOn` while what it toggles is on.
    public func label(on: Bool) -> String { on ? labelWhenOn ?? label : label }

    /// "Failed syncs, Stuck repos", or "everywhere".
    public var whereText: String {
        guard context == .main else { return context == .view ? "views: help, detail, audit log, workers" : "dialogs" }
        guard let panes else { return "everywhere" }
        return Pane.allCases.filter(panes.contains).map(\.title).joined(separator: ", ")
    }

    /// The bindings that work in `pane`, pane-specific first; mutating ones left out when read-only.
    public static func available(in pane: Pane, readOnly: Bool) -> [KeyBinding] {
        let usable = all.filter { !(readOnly && $0.mutating) }
        return usable.filter { $0.panes?.contains(pane) == true } + usable.filter { $0.panes == nil }
    }
}
