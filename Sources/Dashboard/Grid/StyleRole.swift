/// What a cell means, not how it looks: themes map roles to colours and attributes.
public enum StyleRole: String, CaseIterable, Sendable {
    case normal, dim, title, border, borderFocused, header, footer, footerKey
    case ok, warn, error, gauge, gaugeEmpty, selection, banner, dialog, input
    /// A search match (`f`), highlighted wherever it shows, also on the selected row.
    case match
}
