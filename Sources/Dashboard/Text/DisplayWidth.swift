/// Terminal column widths of characters: East Asian wide and emoji take two columns, combining marks ride
/// on the character before them (Swift's grapheme clusters already group them).
public enum DisplayWidth {
    /// Columns a grapheme cluster occupies on a terminal (1 or 2).
    public static func of(_ character: Character) -> Int {
        // Most of what is drawn is ASCII, and Unicode's property tables cost most of a frame.
        if character.isASCII { return 1 }
        let scalars = character.unicodeScalars
        guard let first = scalars.first else { return 0 }
        if scalars.contains(where: { $0.value == 0xFE0F }) { return 2 }  // emoji presentation selector
        if first.properties.isEmojiPresentation { return 2 }
        return isWide(first.value) ? 2 : 1
    }

    /// Columns a string occupies.
    public static func of(_ text: some StringProtocol) -> Int {
        // Printable ASCII is a column a byte (a control such as "\r\n" can join two bytes into one character).
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return text.utf8.count }
        return text.reduce(0) { $0 + of($1) }
    }

    private static func isWide(_ v: UInt32) -> Bool {
        switch v {
        case 0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x2E80...0x303E, 0x3041...0x33FF,
             0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF, 0xA960...0xA97F, 0xAC00...0xD7A3,
             0xF900...0xFAFF, 0xFE10...0xFE19, 0xFE30...0xFE6F, 0xFF00...0xFF60, 0xFFE0...0xFFE6,
             0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x2FFFD, 0x30000...0x3FFFD:
            return true
        default:
            return false
        }
    }

    /// The longest prefix of `text` that fits in `columns`, with "…" (or "~" in ASCII mode) marking a cut.
    public static func truncate(_ text: String, to columns: Int, ellipsis: Character = "…") -> String {
        guard columns > 0 else { return "" }
        if of(text) <= columns { return text }
        var result = ""
        var used = 0
        for character in text {
            let width = of(character)
            if used + width > columns - 1 { break }
            result.append(character)
            used += width
        }
        result.append(ellipsis)
        return result
    }

    /// `text` cut or padded with spaces to exactly `columns`.
    public static func pad(_ text: String, to columns: Int, alignRight: Bool = false, ellipsis: Character = "…") -> String {
        let cut = truncate(text, to: columns, ellipsis: ellipsis)
        let fill = String(repeating: " ", count: max(0, columns - of(cut)))
        return alignRight ? fill + cut : cut + fill
    }
}

extension DisplayWidth {
    /// The longest prefix of `text` that fits in `columns`, without any marker (at least one character).
    public static func prefix(_ text: String, columns: Int) -> String {
        var result = ""
        var used = 0
        for character in text {
            let width = of(character)
            if used + width > columns, !result.isEmpty { break }
            result.append(character)
            used += width
        }
        return result
    }
}
