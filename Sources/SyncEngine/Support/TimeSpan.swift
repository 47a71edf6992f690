import Foundation

/// A length of time given on the command line as `90s`, `30m`, `2h`, `7d` or `1w`.
public struct TimeSpan: Sendable, Equatable, CustomStringConvertible {
    public let seconds: Int

    public init(seconds: Int) {
        self.seconds = seconds
    }

    public static func hours(_ hours: Int) -> TimeSpan { TimeSpan(seconds: hours * 3600) }

    /// Parses a positive whole number followed by one unit; nil for anything else.
    public init?(parsing text: String) {
        let units: [Character: Int] = ["s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800]
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard let unit = trimmed.last, let scale = units[unit], let count = Int(trimmed.dropLast()), count > 0,
              count <= Int(Int32.max) / scale else { return nil }
        seconds = count * scale
    }

    public var description: String {
        for (scale, unit) in [(604_800, "w"), (86_400, "d"), (3600, "h"), (60, "m")] where seconds % scale == 0 {
            return "\(seconds / scale)\(unit)"
        }
        return "\(seconds)s"
    }
}
