import SyncEngine

extension Canvas {
    /// Every key, grouped by the panes it works in (those of the focused pane first), with which ones ask first;
    /// then the keys of views and dialogs, what the columns mean, and what the colours say. All of it from the
    /// binding table and the column definitions the panes draw with.
    func helpLines(_ state: DashboardState, width: Int) -> [(String, StyleRole)] {
        var lines: [(String, StyleRole)] = []
        // Keys beside their text when there is room, else above it.
        let widest = KeyBinding.everything.map { DisplayWidth.of($0.allKeys) }.max() ?? 10
        let beside = width - widest - 4 >= 36
        let keyWidth = beside ? widest + 2 : 4
        func entry(_ binding: KeyBinding) {
            let label = binding.label(on: binding.actions.values.contains(.togglePolling) && state.pollingPaused)
            var text = binding.help
            if label != binding.label { text += " (now: \(label))" }
            if let note = binding.asks.note { text += " — \(note)" }
            let wrapped = Format.wrap(text, width: max(10, width - keyWidth - 2))
            let role: StyleRole = state.readOnly && binding.mutating ? .dim : .normal
            if !beside { lines.append(("  " + binding.allKeys, role)) }
            for (n, line) in wrapped.enumerated() {
                let key = n == 0 && beside ? DisplayWidth.pad(binding.allKeys, to: keyWidth) : String(repeating: " ", count: keyWidth)
                lines.append(("  " + key + line, role))
            }
        }
        // Sections by pane set, in table order; the focused pane's sections first.
        var sections: [(title: String, bindings: [KeyBinding])] = []
        for binding in KeyBinding.all {
            let title = binding.panes == nil ? "Everywhere" : binding.whereText
            if let index = sections.firstIndex(where: { $0.title == title }) { sections[index].bindings.append(binding) }
            else { sections.append((title, [binding])) }
        }
        let here = sections.filter { $0.bindings[0].applies(in: state.focus) }
        let elsewhere = sections.filter { !$0.bindings[0].applies(in: state.focus) }
        for section in here + elsewhere {
            let works = section.bindings[0].applies(in: state.focus)
            lines.append((section.title + (works || section.title == "Everywhere" ? "" : " (focus one of them first)"), .title))
            section.bindings.forEach(entry)
            lines.append(("", .normal))
        }
        lines.append(("In views (help, detail, audit log, workers)", .title))
        KeyBinding.views.forEach(entry)
        lines.append(("", .normal))
        lines.append(("In dialogs", .title))
        KeyBinding.dialogs.forEach(entry)
        let asking = "Keys that act on more than one row, or spend API budget, ask first with the count and the estimated "
            + "API cost; the emergency stop wants its word typed. Ctrl-C quits from anywhere."
        lines += Format.wrap(asking, width: max(10, width - 2)).map { ("  " + $0, .dim) }
        if state.readOnly { lines.append(("  read-only session: the dimmed keys are disabled", .warn)) }
        lines.append(("", .normal))
        lines.append(("Columns", .title))
        for (pane, columns) in PaneColumns.documented {
            lines.append(("  " + pane, .dim))
            for column in columns {
                let wrapped = Format.wrap(column.help, width: max(10, width - 14))
                for (m, line) in wrapped.enumerated() {
                    lines.append(("    " + DisplayWidth.pad(m == 0 ? column.name : "", to: 10) + line, .normal))
                }
            }
        }
        lines.append(("", .normal))
        lines.append(("Colours (as the theme draws them; t switches themes)", .title))
        let colours: [(String, StyleRole, String)] = [
            ("ok", .ok, "healthy: succeeded, fresh, lasts until the reset, queued for retry"),
            ("warn", .warn, "needs a look: data older than 2 refreshes, 90% of a tier used, few attempts, a budget running low"),
            ("error", .error, "act: failing rows, expired leases, exhausted budget, data older than 5 refreshes, a stop in effect"),
            ("dim", .dim, "context: headings, ages, what is off"),
        ]
        for (name, role, meaning) in colours {
            let wrapped = Format.wrap(meaning, width: max(10, width - 10 - 2))
            for (n, line) in wrapped.enumerated() {
                lines.append(("  " + (n == 0 ? DisplayWidth.pad(name, to: 10) : String(repeating: " ", count: 10)) + line, n == 0 ? role : .normal))
            }
        }
        lines += Format.wrap("A pane's border turns amber, then red, as its data ages; the focused pane's border is bright.",
                             width: max(10, width - 2)).map { ("  " + $0, .dim) }
        return lines
    }
}
