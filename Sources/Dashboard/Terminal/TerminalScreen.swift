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

/// What the terminal delivered: a key, a new size, or nothing within the wait — or the news that the terminal is
/// gone (hung up, closed, unreadable), after which nothing will ever come.
public enum TerminalInput: Equatable, Sendable {
    case key(Key)
    case resized
    /// A left-button press or a wheel notch at a cell.
    case mouse(MouseEvent.Kind, x: Int, y: Int)
    case gone
}

/// The ncurses backend: paints a `CellGrid` and reads keys, nothing else. It restores the terminal on
/// close, on Ctrl-C (raw mode delivers it as a key), on SIGINT/SIGTERM/SIGHUP and on a crash.
///
/// A terminal can vanish without a SIGHUP reaching the dashboard (its tmux session killed while the dashboard runs
/// in another session or process group, via `setsid`, a supervisor or a wrapper): every read then fails at once.
/// `read` reports that as `.gone` instead of an empty wait, so the caller ends rather than spin on a dead terminal.
public final class TerminalScreen {
    public private(set) var colorMode: ColorMode
    private var attributes: [StyleRole: (attrs: attr_t, pair: Int16)] = [:]
    private var isOpen = false
    /// Reads in a row that failed at once (see `read`).
    private var instantFailures = 0
    /// The signal dispositions before the dashboard took over, put back on close.
    private var previousHandlers: [(signal: Int32, handler: SignalHandler?)] = []
    /// What the last paint put on ncurses' screen, forgotten when the screen is cleared or restyled: a cell equal
    /// to its old self is not converted and put again (doing that for all 12,000 cells at 200×60 on every refresh
    /// was most of an idle dashboard's CPU).
    private var painted: CellGrid?

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
    public func clearForResize() {
        painted = nil
        wclear(wsync_stdscr())
    }

    public var size: Size { Size(width: Int(wsync_cols()), height: Int(wsync_lines())) }

    /// Maps roles to colour pairs and attributes; without colour only attributes are used.
    public func apply(_ theme: Theme) {
        attributes = [:]
        painted = nil
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

    /// Puts the cells that changed since the last paint; ncurses then sends only what changed on the terminal.
    public func paint(_ grid: CellGrid) {
        let previous = painted?.size == grid.size ? painted : nil
        var chars: [wchar_t] = []
        for y in 0..<grid.size.height {
            for x in 0..<grid.size.width {
                let cell = grid[x, y]
                if cell.isContinuation || previous?[x, y] == cell { continue }
                let style = attributes[cell.role] ?? (0, 0)
                chars.removeAll(keepingCapacity: true)
                chars.append(contentsOf: cell.character.unicodeScalars.map { wchar_t(bitPattern: $0.value) })
                _ = wsync_put_cell(Int32(y), Int32(x), chars, Int32(chars.count), style.attrs, style.pair)
            }
        }
        wrefresh(wsync_stdscr())
        painted = grid
    }

    /// Waits up to `milliseconds` for input.
    public func read(timeoutMilliseconds milliseconds: Int32) -> TerminalInput? {
        wtimeout(wsync_stdscr(), milliseconds)
        let started = ContinuousClock.now
        var wch: wint_t = 0
        let status = wget_wch(wsync_stdscr(), &wch)
        if status == wsync_err() {
            if Self.terminalIsGone() { return .gone }
            // A wait that ends at once with nothing, again and again, is a read failing (end of file, EIO), not a
            // quiet keyboard: a tenth of the timeout, twenty times running.
            let instant = milliseconds >= 10 && ContinuousClock.now - started < .milliseconds(Int(milliseconds) / 10)
            instantFailures = instant ? instantFailures + 1 : 0
            return instantFailures >= 20 ? .gone : nil
        }
        instantFailures = 0
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

    /// After a read that returned nothing: whether standard input hung up or broke (a wait that merely timed out
    /// leaves it open and quiet). `poll` reports a hung-up or closed terminal at once, without reading from it.
    private static func terminalIsGone() -> Bool {
        var descriptor = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptor, 1, 0)
        if ready < 0 { return errno != EINTR && errno != EAGAIN }
        if descriptor.revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 { return true }
        return false
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
///
/// A stop signal must end the process whatever state the terminal is in: an alarm bounds `endwin`, which writes to a
/// terminal that may no longer read (after a SIGHUP it usually fails at once). The signals are unblocked too, in case whoever started the dashboard had them blocked.
private func installRestoringSignalHandlers(stopSignals: Bool) -> [(signal: Int32, handler: SignalHandler?)] {
    var previous: [(signal: Int32, handler: SignalHandler?)] = []
    let stops = stopSignals ? [SIGINT, SIGTERM, SIGHUP] : []
    for sig in stops {
        let before = signal(sig) { received in
            signal(SIGALRM, SIG_DFL)
            alarm(2)
            endwin()
            _exit(128 + received)
        }
        previous.append((sig, before))
    }
    var unblocked = sigset_t()
    sigemptyset(&unblocked)
    for sig in stops { sigaddset(&unblocked, sig) }
    pthread_sigmask(SIG_UNBLOCK, &unblocked, nil)
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
