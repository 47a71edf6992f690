/// A terminal colour: the terminal's own default, or an index of the xterm 256-colour palette.
public enum ThemeColor: Equatable, Sendable {
    case terminalDefault
    case indexed(Int)

    /// The closest of the eight basic colours, for terminals that have no more: greys by brightness,
    /// everything else by hue, so orange stays a warning (yellow) and pastel green stays green.
    public var eightColor: ThemeColor {
        guard case .indexed(let n) = self else { return self }
        if n < 16 { return .indexed(n % 8) }
        let (r, g, b) = Self.rgb(n)
        let high = max(r, g, b), low = min(r, g, b)
        if high == 0 || Double(high - low) / Double(high) < 0.3 { return .indexed(high >= 102 ? 7 : 0) }
        let span = Double(high - low)
        var hue: Double
        if high == r { hue = 60 * Double(g - b) / span } else if high == g { hue = 60 * (2 + Double(b - r) / span) } else { hue = 60 * (4 + Double(r - g) / span) }
        if hue < 0 { hue += 360 }
        switch hue {
        case 30..<90: return .indexed(3)     // yellow
        case 90..<160: return .indexed(2)    // green
        case 160..<195: return .indexed(6)   // cyan
        case 195..<275: return .indexed(4)   // blue
        case 275..<330: return .indexed(5)   // magenta
        default: return .indexed(1)          // red
        }
    }

    /// RGB of an xterm palette entry from 16 up (the 6×6×6 cube, then the grey ramp).
    static func rgb(_ n: Int) -> (Int, Int, Int) {
        if n >= 232 { let v = 8 + (n - 232) * 10; return (v, v, v) }
        let levels = [0, 95, 135, 175, 215, 255]
        let v = n - 16
        return (levels[v / 36], levels[v / 6 % 6], levels[v % 6])
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
        .input: Style(underline: true), .match: Style(bold: true, underline: true),
    ])
}
