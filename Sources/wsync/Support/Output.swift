import Foundation
import SyncEngine
import Postgres

/// Printing for read commands: JSON with wsync's conventions, or an aligned text table.
enum Output {
    static func json(_ value: some Encodable) throws {
        let encoder = PostgresJSON.encoder
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    /// Columns padded to their widest cell; control characters in cells are shown escaped.
    static func table(_ headers: [String], _ rows: [[String]]) {
        let cells = rows.map { $0.map(SafeText.line) }
        var widths = headers.map(\.count)
        for row in cells {
            for (index, cell) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], cell.count) }
        }
        func line(_ row: [String]) -> String {
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
        print(line(headers))
        print(line(widths.map { String(repeating: "-", count: $0) }))
        cells.forEach { print(line($0)) }
        if rows.isEmpty { print("(none)") }
    }

    /// "2026-11-29 14:02:11 UTC": every time the CLI prints says its zone.
    static func timestamp(_ date: Date?) -> String {
        guard let date else { return "never" }
        return String(PostgresTimestamp.format(date).prefix(19)).replacingOccurrences(of: "T", with: " ") + " UTC"
    }
}
