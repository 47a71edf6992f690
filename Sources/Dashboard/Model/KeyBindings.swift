/// The keys of the dashboard as data: the footer and the help view are drawn from this one table.
public struct KeyBinding: Equatable, Sendable {
    public var keys: String
    public var label: String
    /// Changes data: hidden and refused in `--read-only`.
    public var mutating: Bool
    /// The panes where the key does something; nil for everywhere.
    public var panes: Set<Pane>?
    /// Shown in the footer; the rest only in help (`?`), to keep the footer to what matters at 80 columns.
    public var inFooter = true

    public static let all: [KeyBinding] = [
        KeyBinding(keys: "j/k", label: "move", mutating: false, panes: [.failed, .stuck]),
        KeyBinding(keys: "g/G", label: "top/bottom", mutating: false, panes: [.failed, .stuck], inFooter: false),
        KeyBinding(keys: "Enter", label: "detail", mutating: false, panes: [.failed, .stuck]),
        KeyBinding(keys: "r", label: "reset", mutating: true, panes: [.failed, .stuck]),
        KeyBinding(keys: "R", label: "reset all", mutating: true, panes: [.status, .failed]),
        KeyBinding(keys: "s", label: "sync now", mutating: true, panes: [.failed, .stuck]),
        KeyBinding(keys: "S", label: "sync ws", mutating: true, panes: [.failed, .stuck]),
        KeyBinding(keys: "e", label: "group errors", mutating: false, panes: [.failed]),
        KeyBinding(keys: "/", label: "filter (! inverts)", mutating: false, panes: [.failed, .stuck]),
        KeyBinding(keys: "L", label: "slow down", mutating: true, panes: [.rateLimit, .tiers]),
        KeyBinding(keys: "X", label: "emergency stop", mutating: true, panes: nil),
        KeyBinding(keys: "u", label: "undo", mutating: true, panes: nil),
        KeyBinding(keys: "a", label: "audit log", mutating: false, panes: nil),
        KeyBinding(keys: "w", label: "workers", mutating: false, panes: nil, inFooter: false),
        KeyBinding(keys: "Tab/1-5", label: "focus", mutating: false, panes: nil),
        KeyBinding(keys: "Space", label: "pause polling", mutating: false, panes: nil),
        KeyBinding(keys: "+/-", label: "interval", mutating: false, panes: nil, inFooter: false),
        KeyBinding(keys: "t", label: "theme", mutating: false, panes: nil, inFooter: false),
        KeyBinding(keys: "?", label: "help", mutating: false, panes: nil),
        KeyBinding(keys: "q", label: "quit", mutating: false, panes: nil),
    ]

    /// The bindings that work in `pane`, pane-specific first; mutating ones left out when read-only.
    public static func available(in pane: Pane, readOnly: Bool) -> [KeyBinding] {
        let usable = all.filter { !(readOnly && $0.mutating) }
        return usable.filter { $0.panes?.contains(pane) == true } + usable.filter { $0.panes == nil }
    }
}
