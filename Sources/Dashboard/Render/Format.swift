import Foundation

/// Short human forms for numbers, durations and times, as panes show them.
enum Format {
    /// "45s", "12m", "3h05m", "2d04h".
    static func duration(_ seconds: TimeInterval) -> String {
        let s = Int(max(0, seconds).rounded())
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m\(pad2(s % 60))s" }
        if s < 86_400 { return "\(s / 3600)h\(pad2(s % 3600 / 60))m" }
        return "\(s / 86_400)d\(pad2(s % 86_400 / 3600))h"
    }

    /// Coarser form for table cells: "45s", "12m", "3h", "2d".
    static func age(_ seconds: TimeInterval) -> String {
        let s = Int(max(0, seconds).rounded())
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m" }
        if s < 86_400 { return "\(s / 3600)h" }
        return "\(s / 86_400)d"
    }

    /// "950", "12.3k", "4.5M".
    static func count(_ n: Double) -> String {
        let a = abs(n)
        if a < 1000 { return String(Int(n.rounded())) }
        if a < 999_950 { return oneDecimal(n / 1000) + "k" }
        return oneDecimal(n / 1_000_000) + "M"
    }

    static func count(_ n: Int) -> String { count(Double(n)) }

    static func oneDecimal(_ x: Double) -> String {
        let tenths = Int((x * 10).rounded())
        return "\(tenths / 10).\(abs(tenths % 10))"
    }

    static func percent(_ fraction: Double) -> String { "\(Int((fraction * 100).rounded()))%" }

    /// "14:02:11 UTC" in the given zone; without `zoned`, "14:02:11" (for a time next to one that names the zone).
    static func clock(_ date: Date, in zone: TimeZone, zoned: Bool = true) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.hour, .minute, .second], from: date)
        return "\(pad2(c.hour ?? 0)):\(pad2(c.minute ?? 0)):\(pad2(c.second ?? 0))" + (zoned ? " " + zoneName(zone, at: date) : "")
    }

    /// "2026-11-29 14:02 UTC" in the given zone.
    static func dateTime(_ date: Date, in zone: TimeZone, zoned: Bool = true) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return "\(c.year ?? 0)-\(pad2(c.month ?? 0))-\(pad2(c.day ?? 0)) \(pad2(c.hour ?? 0)):\(pad2(c.minute ?? 0))"
            + (zoned ? " " + zoneName(zone, at: date) : "")
    }

    /// "UTC", "CET", "GMT+5:30": the zone's abbreviation at that moment.
    static func zoneName(_ zone: TimeZone, at date: Date) -> String {
        if zone.secondsFromGMT(for: date) == 0, ["UTC", "GMT", "Etc/UTC", "Etc/GMT", "Z"].contains(zone.identifier) { return "UTC" }
        return zone.abbreviation(for: date) ?? zone.identifier
    }

    /// "1 call", "3 calls".
    static func counted(_ n: Int, _ noun: String, plural: String? = nil) -> String {
        "\(n) \(n == 1 ? noun : plural ?? noun + "s")"
    }

    private static func pad2(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

    /// Words wrapped to `width` columns (long words are cut), for dialogs and detail text.
    static func wrap(_ text: String, width: Int) -> [String] {
        guard width > 0 else { return [] }
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: false).map(String.init) {
            var word = word
            while DisplayWidth.of(word) > width {
                if !current.isEmpty { lines.append(current); current = "" }
                let head = DisplayWidth.prefix(word, columns: width)
                lines.append(head)
                word = String(word.dropFirst(head.count))
            }
            if current.isEmpty { current = word }
            else if DisplayWidth.of(current) + 1 + DisplayWidth.of(word) <= width { current += " " + word }
            else { lines.append(current); current = word }
        }
        lines.append(current)
        return lines
    }
}
