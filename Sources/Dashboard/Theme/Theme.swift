/// A terminal colour: the terminal's own default, or an index of the xterm 256-colour palette.
public enum ThemeColor: Equatable, Sendable {
    case terminalDefault
    case indexed(Int)

    /// The closest of the eight basic colours, for terminals that have no more.
    public var eightColor: ThemeColor {
        guard case .indexed(let n) = self else { return self }
        switch n {
        case 0..<16: return .indexed(n % 8)
        case 16..<232:
            let v = n - 16
            let r = v / 36, g = v / 6 % 6, b = v % 6
            let on = { (level: Int) in level >= 2 ? 1 : 0 }
            return .indexed(on(r) | on(g) << 1 | on(b) << 2)
        default:
            return .indexed(n >= 243 ? 7 : 0)  // light greys read as white, dark ones as black
        }
    }
}

/// How one role looks.
public struct Style: Equatable, Sendable {
    public var foreground: ThemeColor = .terminalDefault
    public var background: ThemeColor = .terminalDefault
    public var bold = false
    public var underline = false
    public var reverse = false
    public var dim = false

    public init(foreground: ThemeColor = .terminalDefault, background: ThemeColor = .terminalDefault,
                bold: Bool = false, underline: Bool = false, reverse: Bool = false, dim: Bool = false) {
        self.foreground = foreground; self.background = background
        self.bold = bold; self.underline = underline; self.reverse = reverse; self.dim = dim
    }

    /// The same attributes without any colour (NO_COLOR).
    public var withoutColor: Style { Style(bold: bold, underline: underline, reverse: reverse, dim: dim) }
}

/// Styles for every role; roles a theme leaves out look like `normal`.
public struct Theme: Equatable, Sendable {
    public var name: String
    public var styles: [StyleRole: Style]

    public init(name: String, styles: [StyleRole: Style]) {
        self.name = name
        self.styles = styles
    }

    public func style(for role: StyleRole) -> Style { styles[role] ?? styles[.normal] ?? Style() }

    /// What a screen without colour shows: attributes alone keep selection, errors and banners visible.
    /// Used for NO_COLOR and `--no-color`, and when no theme file can be read at all.
    public static let attributesOnly = Theme(name: "no-color", styles: [
        .normal: Style(), .dim: Style(dim: true), .title: Style(bold: true), .border: Style(),
        .borderFocused: Style(bold: true), .header: Style(reverse: true), .footer: Style(reverse: true),
        .footerKey: Style(bold: true, reverse: true), .ok: Style(), .warn: Style(bold: true),
        .error: Style(bold: true, underline: true), .gauge: Style(bold: true), .gaugeEmpty: Style(dim: true),
        .selection: Style(reverse: true), .banner: Style(bold: true, reverse: true), .dialog: Style(),
        .input: Style(underline: true),
    ])
}
