import Foundation
import Postgres

/// A report row that prints as a table row or a CSV record: the column headers and this row's cells, in order.
public protocol TabularRow: Codable, Sendable {
    static var columns: [String] { get }
    var cells: [String] { get }
}

/// RFC 4180 CSV: CRLF line ends; fields with a comma, quote, CR or LF are quoted, quotes doubled.
public enum CSV {
    public static func document<Row: TabularRow>(_ rows: [Row]) -> String {
        ([Row.columns] + rows.map(\.cells)).map(record).joined()
    }

    public static func record(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",") + "\r\n"
    }

    static func field(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// Cell formatting shared by the reports.
enum Cell {
    static func time(_ date: Date?) -> String {
        date.map { PostgresTimestamp.format($0) } ?? ""
    }

    static func number(_ value: Double?, decimals: Int = 2) -> String {
        value.map { String(format: "%.\(decimals)f", $0) } ?? ""
    }

    static func int(_ value: Int?) -> String {
        value.map(String.init) ?? ""
    }
}
