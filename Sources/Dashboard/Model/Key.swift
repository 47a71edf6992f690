/// A key press, already decoded from the terminal.
public enum Key: Hashable, Sendable {
    case character(Character)
    case enter, escape, tab, backTab, backspace
    case up, down, pageUp, pageDown, home, end
    case controlC
}
