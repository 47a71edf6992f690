import CNCurses
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// How many colours the screen may use.
public enum ColorMode: Sendable {
    /// NO_COLOR, `--no-color`, or a terminal without colours: attributes only, no colour escapes.
    case none
    case eight
    case full
}

/// What the terminal delivered: a key, a new size, or nothing within the wait.
public enum TerminalInput: Equatable, Sendable {
    case key(Key)
    case resized
    /// A left-button press or a wheel notch at a cell.
    case mouse(MouseEvent.Kind, x: Int, y: Int)
}

/// The ncurses backend: paints a `CellGrid` and reads keys, nothing else. It restores the terminal on
/// close, on Ctrl-C (raw mode delivers it as a key), on SIGINT/SIGTERM/SIGHUP and on a crash.
public final class TerminalScreen {
    public private(set) var colorMode: ColorMode
    private var attributes: [StyleRole: (attrs: attr_t, pair: Int16)] = [:]
    private var isOpen = false
    /// The signal dispositions before the dashboard took over, put back on close.
    private var previousHandlers: [(signal: Int32, handler: SignalHandler?)] = []

    /// Whether the locale lets ncurses draw non-ASCII text (box lines, gauges, CJK); the caller draws ASCII if not.
    public let unicode: Bool

    /// `ownerHandlesStopSignals`: the caller turns SIGINT/SIGTERM into a clean quit of its own (wsync demo stops its
    /// servers after the dashboard); otherwise they restore the terminal and end the process.
    public init(colorAllowed: Bool, ownerHandlesStopSignals: Bool = false) {
        unicode = Self.useUTF8Locale()
        previousHandlers = installRestoringSignalHandlers(stopSignals: !ownerHandlesStopSignals)
        _ = initscr()
        isOpen = true
        raw()
        noecho()
        nonl()
        keypad(wsync_stdscr(), true)
        set_escdelay(25)
        curs_set(0)
        if colorAllowed, has_colors() {
            start_color()
            use_default_colors()
            colorMode = wsync_colors() >= 256 ? .full : .eight
        } else {
            colorMode = .none
        }
    }

    deinit { close() }

    /// The user's locale; when it is not UTF-8 (LANG unset, as under cron or `env -i`), C.UTF-8 if the system has
    /// it, since ncursesw prints nothing but ASCII in a byte locale.
    private static func useUTF8Locale() -> Bool {
        setlocale(LC_ALL, "")
        if isUTF8() { return true }
        return setlocale(LC_CTYPE, "C.UTF-8") != nil && isUTF8()
    }

    private static func isUTF8() -> Bool {
        guard let codeset = nl_langinfo(nl_item(CODESET)) else { return false }
        return String(cString: codeset).uppercased().replacingOccurrences(of: "-", with: "") == "UTF8"
    }

    /// Leaves curses mode and gives the terminal back as it was. Safe to call twice.
    public func close() {
        guard isOpen else { return }
        isOpen = false
        endwin()
        for (sig, handler) in previousHandlers { signal(sig, handler) }
        previousHandlers = []
    }

    /// Asks the terminal to report clicks and the wheel, or to stop (it then selects text itself again). ncurses
    /// turns reporting off when the screen closes, also on a crash.
    public func setMouse(_ enabled: Bool) { wsync_mouse(enabled ? 1 : 0) }

    /// Puts `text` on the terminal's clipboard with OSC 52 (tmux keeps it as a paste buffer with `set-clipboard
    /// on`). Terminals without it ignore the sequence; the dashboard also shows the text.
    public func copyToClipboard(_ text: String) {
        let sequence = "\u{1B}]52;c;\(Data(text.utf8).base64EncodedString())\u{07}"
        fflush(nil)
        let bytes = Array(sequence.utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { write(STDOUT_FILENO, $0.baseAddress! + written, $0.count - written) }
            if n <= 0 { break }
            written += n
        }
    }

    /// After a resize the old screen contents are meaningless: repaint everything.
    public func clearForResize() { wclear(wsync_stdscr()) }

    public var size: Size { Size(width: Int(wsync_cols()), height: Int(wsync_lines())) }

    /// Maps roles to colour pairs and attributes; without colour only attributes are used.
    public func apply(_ theme: Theme) {
        attributes = [:]
        let effective = colorMode == .none ? Theme.attributesOnly : theme
        for (index, role) in StyleRole.allCases.enumerated() {
            let style = effective.style(for: role)
            var attrs: attr_t = 0
            if style.bold { attrs |= wsync_a_bold() }
            if style.underline { attrs |= wsync_a_underline() }
            if style.reverse { attrs |= wsync_a_reverse() }
            if style.dim { attrs |= wsync_a_dim() }
            var pair: Int16 = 0
            if colorMode != .none {
                pair = Int16(index + 1)
                init_pair(pair, number(style.foreground), number(style.background))
            }
            attributes[role] = (attrs, pair)
        }
    }

    private func number(_ color: ThemeColor) -> Int16 {
        let mapped = colorMode == .eight ? color.eightColor : color
        guard case .indexed(let n) = mapped else { return -1 }
        return Int16(n)
    }

    /// Paints every cell; ncurses sends only what changed since the last refresh.
    public func paint(_ grid: CellGrid) {
        var chars: [wchar_t] = []
        for y in 0..<grid.size.height {
            for x in 0..<grid.size.width {
                let cell = grid[x, y]
                if cell.isContinuation { continue }
                let style = attributes[cell.role] ?? (0, 0)
                chars.removeAll(keepingCapacity: true)
                chars.append(contentsOf: cell.character.unicodeScalars.map { wchar_t(bitPattern: $0.value) })
                _ = wsync_put_cell(Int32(y), Int32(x), chars, Int32(chars.count), style.attrs, style.pair)
            }
        }
        wrefresh(wsync_stdscr())
    }

    /// Waits up to `milliseconds` for input.
    public func read(timeoutMilliseconds milliseconds: Int32) -> TerminalInput? {
        wtimeout(wsync_stdscr(), milliseconds)
        var wch: wint_t = 0
        let status = wget_wch(wsync_stdscr(), &wch)
        if status == wsync_err() { return nil }
        if status == wsync_key_code_yes() {
            let code = Int32(wch)
            if code == wsync_key_resize() { return .resized }
            if code == wsync_key_mouse() {
                var x: Int32 = 0, y: Int32 = 0
                switch wsync_read_mouse(&x, &y) {
                case 1: return .mouse(.press, x: Int(x), y: Int(y))
                case 4: return .mouse(.wheelUp, x: Int(x), y: Int(y))
                case 5: return .mouse(.wheelDown, x: Int(x), y: Int(y))
                default: return nil
                }
            }
            return Self.functionKey(code).map(TerminalInput.key)
        }
        return Self.character(UInt32(wch)).map(TerminalInput.key)
    }

    private static func functionKey(_ code: Int32) -> Key? {
        switch code {
        case KEY_UP: .up
        case KEY_DOWN: .down
        case KEY_PPAGE: .pageUp
        case KEY_NPAGE: .pageDown
        case KEY_HOME: .home
        case KEY_END: .end
        case KEY_BTAB: .backTab
        case KEY_ENTER: .enter
        case KEY_BACKSPACE: .backspace
        default: nil
        }
    }

    private static func character(_ value: UInt32) -> Key? {
        switch value {
        case 3: return .controlC
        case 9: return .tab
        case 10, 13: return .enter
        case 27: return .escape
        case 8, 127: return .backspace
        case 0..<32: return nil
        default: return Unicode.Scalar(value).map { .character(Character($0)) }
        }
    }
}

typealias SignalHandler = @convention(c) (Int32) -> Void

/// On a fatal signal, give the terminal back before the process dies, so a crash never leaves it raw; with
/// `stopSignals`, SIGINT/SIGTERM/SIGHUP too. Returns what was there before.
private func installRestoringSignalHandlers(stopSignals: Bool) -> [(signal: Int32, handler: SignalHandler?)] {
    var previous: [(signal: Int32, handler: SignalHandler?)] = []
    for sig in stopSignals ? [SIGINT, SIGTERM, SIGHUP] : [] {
        let before = signal(sig) { received in
            endwin()
            _exit(128 + received)
        }
        previous.append((sig, before))
    }
    for sig in [SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE, SIGABRT] {
        let before = signal(sig) { received in
            endwin()
            signal(received, SIG_DFL)
            raise(received)
        }
        previous.append((sig, before))
    }
    return previous
}
