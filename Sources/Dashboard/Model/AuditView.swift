import Foundation
import SyncEngine

/// The audit log view (`a`): a list of entries to move through, narrowed by a filter, and one entry opened in full.
public struct AuditView: Equatable, Sendable {
    /// Nil while loading.
    public var entries: [AuditEntry]?
    /// Index of the selected entry among those the filter shows.
    public var selected = 0
    public var filter = ""
    /// The filter is being typed (`/`).
    public var editingFilter = false
    /// The entry shown in full (Enter), and how far it is scrolled.
    public var opened: AuditEntry?
    public var scroll = 0

    public init(entries: [AuditEntry]? = nil) {
        self.entries = entries
    }

    /// The entries the filter shows: it looks in the id, time, actor, action, summary and parameters.
    public var shown: [AuditEntry] {
        guard let entries else { return [] }
        guard !filter.isEmpty else { return entries }
        return entries.filter { Self.searchText($0).localizedCaseInsensitiveContains(filter) }
    }

    static func searchText(_ e: AuditEntry) -> String {
        (["#\(e.id)", e.actor, e.action, e.summary] + e.parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" })
            .joined(separator: " ")
    }

    /// One key; false when the view closes.
    mutating func handle(_ key: Key) -> Bool {
        if opened != nil {
            switch key {
            case .down, .character("j"): scroll += 1
            case .up, .character("k"): scroll = max(0, scroll - 1)
            case .pageDown: scroll += 10
            case .pageUp: scroll = max(0, scroll - 10)
            case .home, .character("g"): scroll = 0
            case .escape, .enter, .character("q"), .backspace: opened = nil; scroll = 0
            default: break
            }
            return true
        }
        if editingFilter {
            switch key {
            case .enter: editingFilter = false
            case .escape: editingFilter = false; filter = ""; selected = 0
            case .backspace: filter = String(filter.dropLast()); selected = 0
            case .character(let c): filter.append(c); selected = 0
            default: break
            }
            return true
        }
        let count = shown.count
        func move(_ delta: Int) { selected = max(0, min(max(0, count - 1), selected + delta)) }
        switch key {
        case .down, .character("j"): move(1)
        case .up, .character("k"): move(-1)
        case .pageDown: move(10)
        case .pageUp: move(-10)
        case .home, .character("g"): selected = 0
        case .end, .character("G"): selected = max(0, count - 1)
        case .character("/"): editingFilter = true
        case .enter:
            if shown.indices.contains(selected) { opened = shown[selected]; scroll = 0 }
        case .escape where !filter.isEmpty: filter = ""; selected = 0
        case .escape, .character("q"), .character("a"): return false
        default: break
        }
        return true
    }
}
