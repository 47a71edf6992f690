import Foundation

/// A search in one list: matching rows stay listed, their matches are highlighted, and `n`/`N` jump between them.
public struct Search: Equatable, Sendable {
    public var text: String
    public var pane: Pane

    public init(text: String, pane: Pane) {
        self.text = text
        self.pane = pane
    }

    public func matches(_ haystack: String) -> Bool {
        !text.isEmpty && haystack.localizedCaseInsensitiveContains(text)
    }
}

extension DashboardState {
    /// The indexes of the rows of `pane` the search matches, in display order.
    public func matchIndexes(in pane: Pane) -> [Int] {
        guard let search, search.pane == pane else { return [] }
        let items = items(in: pane)
        return items.indices.filter { search.matches(items[$0].searchText) }
    }

    /// The search text to highlight in `pane`, if a search is on there.
    public func highlight(in pane: Pane) -> String? {
        guard let search, search.pane == pane, !search.text.isEmpty else { return nil }
        return search.text
    }

    /// Typing in the find prompt: the search follows, and the selection moves to the first match from where it is.
    mutating func typeSearch(_ text: String) {
        overlay = .find(text: text)
        search = text.isEmpty ? nil : Search(text: text, pane: focus)
        if search != nil { jumpToMatch(forward: true, includingCurrent: true, announce: false) }
    }

    /// `n` and `N`: the next or previous matching row, round the end of the list.
    mutating func jumpToMatch(forward: Bool, includingCurrent: Bool = false, announce: Bool = true) {
        guard let search, search.pane == focus else {
            say("nothing to find in \(focus.title): f starts a search, then n/N jump between matches", .info)
            return
        }
        let items = items(in: focus)
        let matches = items.indices.filter { search.matches(items[$0].searchText) }
        guard !matches.isEmpty else { say("no match for \"\(search.text)\" in \(focus.title)", .failure); return }
        let current = selectionIndex(in: focus, items: items)
        let target: Int
        if forward {
            target = matches.first { includingCurrent ? $0 >= current : $0 > current } ?? matches[0]
        } else {
            target = matches.last { $0 < current } ?? matches[matches.count - 1]
        }
        selections[focus] = Selection(key: items[target].key, index: target)
        if announce {
            let position = (matches.firstIndex(of: target) ?? 0) + 1
            say("match \(position) of \(matches.count) for \"\(search.text)\" (n next, N previous, Esc ends the search)", .info)
        }
    }

    mutating func handleFindKey(_ key: Key, text: String) {
        switch key {
        case .escape:
            overlay = nil
            search = nil
        case .enter:
            overlay = nil
            if text.isEmpty { search = nil; return }
            let count = matchIndexes(in: focus).count
            say(count == 0 ? "no match for \"\(text)\" in \(focus.title)"
                : "\(count) \(count == 1 ? "match" : "matches") for \"\(text)\": n next, N previous, Esc ends the search",
                count == 0 ? .failure : .info)
        case .backspace: typeSearch(String(text.dropLast()))
        case .character(let c): typeSearch(text + String(c))
        default: break
        }
    }
}
