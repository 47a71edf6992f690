/// Text from GitHub or the database made safe for a terminal — the one sanitizer of both faces (the dashboard's
/// cells, the CLI's tables, lines and errors): C0 and C1 controls, escape sequences, bidi overrides and isolates
/// are shown escaped (`\e[31m`, `\x07`, `\u{202E}`), never written raw. (Invalid UTF-8 never gets this far:
/// a Swift String holds none.)
public enum SafeText {
    /// One display line: newlines and tabs are shown escaped too.
    public static func line(_ text: String) -> String {
        // Printable ASCII has nothing to escape, and the property lookups below cost much of a dashboard frame.
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            if let first = character.unicodeScalars.first, rendersWithoutWidth(first) {
                // A cluster that starts with a combining mark or an invisible format character would draw in no
                // column of its own and shift what follows: a lone format character is shown escaped, a lone mark
                // on a dotted circle, as Unicode's charts show it.
                if character.unicodeScalars.count == 1, first.properties.generalCategory == .format {
                    out += "\\u{" + hex(first.value, digits: 4) + "}"
                    continue
                }
                out.unicodeScalars.append("\u{25CC}")
            }
            if character.unicodeScalars.count == 1, let scalar = character.unicodeScalars.first {
                out += escaped(scalar) ?? String(character)
            } else {
                // Grapheme clusters may hide controls after a base character ("a\u{202E}").
                var cluster = ""
                var hadEscape = false
                for scalar in character.unicodeScalars {
                    if let escape = escaped(scalar) { cluster += escape; hadEscape = true } else { cluster.unicodeScalars.append(scalar) }
                }
                out += hadEscape ? cluster : String(character)
            }
        }
        return out
    }

    /// Several display lines: real line breaks are kept as separate lines, everything else as in `line`.
    public static func lines(_ text: String) -> [String] {
        text.replacingCRLF().split(separator: "\n", omittingEmptySubsequences: false).map { line(String($0)) }
    }

    private static func escaped(_ scalar: Unicode.Scalar) -> String? {
        let v = scalar.value
        switch v {
        case 0x1B: return "\\e"
        case 0x0A: return "\\n"
        case 0x0D: return "\\r"
        case 0x09: return "\\t"
        case 0x00...0x1F, 0x7F...0x9F: return "\\x" + hex(v, digits: 2)
        case 0x200B, 0x200E, 0x200F, 0x202A...0x202E, 0x2060...0x2069, 0xFEFF, 0xFFF9...0xFFFB:
            return "\\u{" + hex(v, digits: 4) + "}"
        default:
            switch scalar.properties.generalCategory {
            case .unassigned, .privateUse, .surrogate, .lineSeparator, .paragraphSeparator:
                return "\\u{" + hex(v, digits: 4) + "}"
            default:
                return nil
            }
        }
    }

    /// Scalars a terminal draws in no column of their own when nothing comes before them in the cluster.
    private static func rendersWithoutWidth(_ scalar: Unicode.Scalar) -> Bool {
        // Prepended concatenation marks (the Arabic number signs) are format characters drawn with a width of
        // their own, and join the character after them.
        if [0x0600...0x0605, 0x06DD...0x06DD, 0x070F...0x070F, 0x0890...0x0891, 0x08E2...0x08E2, 0x110BD...0x110BD,
            0x110CD...0x110CD].contains(where: { $0.contains(scalar.value) }) { return false }
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .spacingMark, .format: return escaped(scalar) == nil
        default: return false
        }
    }

    private static func hex(_ v: UInt32, digits: Int) -> String {
        let s = String(v, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, digits - s.count)) + s
    }
}

extension String {
    fileprivate func replacingCRLF() -> String {
        var out = ""
        var previousWasCR = false
        for scalar in unicodeScalars {
            if previousWasCR && scalar != "\n" { out.unicodeScalars.append("\r") }
            previousWasCR = scalar == "\r"
            if !previousWasCR { out.unicodeScalars.append(scalar) }
        }
        if previousWasCR { out.unicodeScalars.append("\r") }
        return out
    }
}
