/// One terminal cell: a character (already sanitized) and the role that styles it.
/// The right half of a two-column character is a continuation cell the backend skips.
public struct Cell: Equatable, Sendable {
    public var character: Character
    public var role: StyleRole
    public var isContinuation: Bool

    public init(_ character: Character, role: StyleRole = .normal, isContinuation: Bool = false) {
        self.character = character
        self.role = role
        self.isContinuation = isContinuation
    }
}

/// Terminal size in columns and rows.
public struct Size: Equatable, Sendable {
    public var width: Int
    public var height: Int
    public init(width: Int, height: Int) { self.width = width; self.height = height }
}

/// A rectangle of the screen.
public struct Rect: Equatable, Sendable {
    public var x: Int, y: Int, width: Int, height: Int
    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x; self.y = y; self.width = max(0, width); self.height = max(0, height)
    }
    /// The rectangle shrunk by `n` on every side (the inside of a border).
    public func inset(_ n: Int) -> Rect { Rect(x: x + n, y: y + n, width: width - 2 * n, height: height - 2 * n) }
}

/// The whole screen as cells: what `render` produces and the backend paints.
public struct CellGrid: Equatable, Sendable {
    public let size: Size
    public private(set) var cells: [Cell]

    public init(size: Size) {
        self.size = size
        cells = Array(repeating: Cell(" "), count: max(0, size.width * size.height))
    }

    public subscript(x: Int, y: Int) -> Cell {
        cells[y * size.width + x]
    }

    /// Writes `text` at (x, y), clipped to `maxWidth` columns and the screen; returns the columns used.
    /// Text must already be safe (see `SafeText`); a wide character that would straddle the clip is dropped.
    @discardableResult
    public mutating func write(_ text: String, x: Int, y: Int, role: StyleRole = .normal, maxWidth: Int? = nil) -> Int {
        guard y >= 0, y < size.height else { return 0 }
        let limit = min(size.width, x + (maxWidth ?? size.width))
        var column = x
        // Printable ASCII, most of what is drawn, is a column a byte: no grapheme breaking, no width lookup.
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
            for byte in text.utf8 {
                if column >= limit { break }
                if column >= 0 {
                    clearHalfOfWideCharacter(at: column, y: y)
                    cells[y * size.width + column] = Cell(Character(Unicode.Scalar(byte)), role: role)
                }
                column += 1
            }
            return column - x
        }
        for character in text {
            let width = DisplayWidth.of(character)
            if column + width > limit { break }
            if column >= 0 {
                clearHalfOfWideCharacter(at: column, y: y)
                cells[y * size.width + column] = Cell(character, role: role)
                if width == 2 {
                    clearHalfOfWideCharacter(at: column + 1, y: y)
                    cells[y * size.width + column + 1] = Cell(" ", role: role, isContinuation: true)
                }
            }
            column += width
        }
        return column - x
    }

    /// Fills a rectangle with one character and role.
    public mutating func fill(_ rect: Rect, with character: Character = " ", role: StyleRole = .normal) {
        let cell = Cell(character, role: role)
        for y in max(0, rect.y)..<min(size.height, rect.y + rect.height) {
            for x in max(0, rect.x)..<min(size.width, rect.x + rect.width) {
                clearHalfOfWideCharacter(at: x, y: y)
                cells[y * size.width + x] = cell
            }
        }
    }

    /// Restyles a rectangle without changing its characters (selection bars, banners).
    public mutating func restyle(_ rect: Rect, role: StyleRole) {
        for y in max(0, rect.y)..<min(size.height, rect.y + rect.height) {
            for x in max(0, rect.x)..<min(size.width, rect.x + rect.width) {
                cells[y * size.width + x].role = role
            }
        }
    }

    /// Overwriting either half of a wide character blanks the other half, so no orphan halves reach the screen. A wide
    /// character is always followed by its continuation cell (`write` drops one that would not fit), so that cell
    /// says where one is without measuring any character.
    private mutating func clearHalfOfWideCharacter(at x: Int, y: Int) {
        guard x >= 0, x < size.width else { return }
        let index = y * size.width + x
        if cells[index].isContinuation, x > 0 {
            cells[index - 1] = Cell(" ", role: cells[index - 1].role)
        } else if x + 1 < size.width, cells[index + 1].isContinuation {
            cells[index + 1] = Cell(" ", role: cells[index + 1].role)
        }
    }

    /// `--ascii`: decorations become their ASCII stand-ins, any other non-ASCII character (data in other
    /// scripts) becomes "?" per column, so alignment holds and nothing but ASCII reaches the terminal.
    public mutating func restrictToASCII() {
        let standIns: [Character: Character] = ["●": "*", "✖": "x", "⟳": "~", "▏": "_", "↓": "v", "•": "-", "–": "-",
                                                "…": "~", "×": "x", "✔": "+", "↑": "^", "·": "-", "▲": "^", "▼": "v"]
        for index in cells.indices {
            if cells[index].isContinuation { cells[index] = Cell("?", role: cells[index].role); continue }
            let character = cells[index].character
            if character.isASCII { continue }
            cells[index].character = standIns[character] ?? "?"
        }
    }

    /// The screen as plain text lines (golden tests and debugging); trailing spaces trimmed.
    public var text: String {
        var lines: [String] = []
        for y in 0..<size.height {
            var line = ""
            for x in 0..<size.width where !self[x, y].isContinuation {
                line.append(self[x, y].character)
            }
            while line.last == " " { line.removeLast() }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }
}
