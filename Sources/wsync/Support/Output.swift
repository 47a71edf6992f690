import Dashboard
import Foundation
import SyncEngine
import Postgres

/// Printing for read commands: JSON with wsync's conventions, or an aligned text table.
enum Output {
    static func json(_ value: some Encodable) throws {
        let encoder = PostgresJSON.encoder
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        print(terminalSafeJSON(String(decoding: try encoder.encode(value), as: UTF8.self)))
    }

    /// JSON with the characters a terminal would act on written as `\uXXXX` escapes: the same document to a parser,
    /// inert on a screen. JSONEncoder already escapes C0 controls; C1 controls (U+0080–U+009F, which some terminals
    /// read as CSI and OSC) and bidi controls it leaves raw. They can only occur inside strings, where an escape is
    /// valid JSON.
    static func terminalSafeJSON(_ json: String) -> String {
        guard json.unicodeScalars.contains(where: needsEscape) else { return json }
        var out = String.UnicodeScalarView()
        for scalar in json.unicodeScalars {
            guard needsEscape(scalar) else { out.append(scalar); continue }
            for unit in String(scalar).utf16 {
                let hex = String(unit, radix: 16)
                out.append(contentsOf: ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).unicodeScalars)
            }
        }
        return String(out)
    }

    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x7F...0x9F, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069, 0x2028, 0x2029: true
        default: false
        }
    }

    /// Columns padded to their widest cell; control characters in cells are shown escaped.
    static func table(_ headers: [String], _ rows: [[String]]) {
        let cells = rows.map { $0.map(SafeText.line) }
        // Columns as a terminal counts them: wide characters (CJK, emoji) take two.
        var widths = headers.map { DisplayWidth.of($0) }
        for row in cells {
            for (index, cell) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], DisplayWidth.of(cell)) }
        }
        func line(_ row: [String]) -> String {
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell + String(repeating: " ", count: max(0, widths[index] - DisplayWidth.of(cell)))
            }.joined(separator: "  ")
        }
        print(line(headers))
        print(line(widths.map { String(repeating: "-", count: $0) }))
        cells.forEach { print(line($0)) }
        if rows.isEmpty { print("(none)") }
    }

    /// CSV as written: data, byte for byte, to a pipe or a file; on a terminal each record is shown through
    /// SafeText, so an escape sequence in a repository name is seen, not obeyed.
    static func csvForStandardOutput(_ document: String) -> String {
        guard isatty(STDOUT_FILENO) == 1 else { return document }
        return document.components(separatedBy: "\r\n").map(SafeText.line).joined(separator: "\r\n")
    }

    /// "2026-11-29 14:02:11 UTC": every time the CLI prints says its zone.
    static func timestamp(_ date: Date?) -> String {
        guard let date else { return "never" }
        return String(PostgresTimestamp.format(date).prefix(19)).replacingOccurrences(of: "T", with: " ") + " UTC"
    }
}
