import Foundation

/// Fast, locale-free conversion between `Date` and PostgreSQL/ISO 8601 timestamps (the session runs in UTC).
public enum PostgresTimestamp {
    /// `2026-11-29T00:22:00.123456Z`: microsecond precision, what PostgreSQL stores.
    public static func format(_ date: Date) -> String {
        let totalMicros = (date.timeIntervalSince1970 * 1_000_000).rounded()
        let micros = Int64(totalMicros)
        var seconds = micros / 1_000_000
        var fraction = micros % 1_000_000
        if fraction < 0 {
            fraction += 1_000_000
            seconds -= 1
        }
        let days = Int(seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400)
        let secondOfDay = Int(seconds - Int64(days) * 86_400)
        let (y, m, d) = civil(fromDays: days)
        // Digit by digit: String(format:) cost microseconds a call, and a page of issues binds three hundred dates.
        var bytes = [UInt8](repeating: 0, count: 27)
        func put(_ value: Int, at end: Int, width: Int) {
            var rest = value
            for index in stride(from: end, to: end - width, by: -1) {
                bytes[index] = UInt8(48 + rest % 10)
                rest /= 10
            }
        }
        guard (0...9999).contains(y) else {
            return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", y, m, d,
                          secondOfDay / 3600, secondOfDay % 3600 / 60, secondOfDay % 60, Int(fraction))
        }
        put(y, at: 3, width: 4); put(m, at: 6, width: 2); put(d, at: 9, width: 2)
        put(secondOfDay / 3600, at: 12, width: 2); put(secondOfDay % 3600 / 60, at: 15, width: 2)
        put(secondOfDay % 60, at: 18, width: 2); put(Int(fraction), at: 25, width: 6)
        for (index, byte) in [(4, 45), (7, 45), (10, 84), (13, 58), (16, 58), (19, 46), (26, 90)] as [(Int, UInt8)] {
            bytes[index] = byte
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Parses `YYYY-MM-DD[ T]HH:MM:SS[.ffffff][Z|±HH[:MM]]` and bare dates; `infinity` maps to the distant dates.
    public static func parse(_ text: some StringProtocol) -> Date? {
        switch text {
        case "infinity": return .distantFuture
        case "-infinity": return .distantPast
        default: break
        }
        let bytes = Array(text.utf8)
        var index = 0
        func number(_ width: Int) -> Int? {
            guard index + width <= bytes.count else { return nil }
            var value = 0
            for offset in 0..<width {
                let byte = bytes[index + offset]
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            index += width
            return value
        }
        func expect(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }
        guard let year = number(4), expect(45), let month = number(2), expect(45), let day = number(2) else { return nil }
        var seconds = Double(days(fromCivil: year, month, day)) * 86_400
        guard index < bytes.count else { return Date(timeIntervalSince1970: seconds) }
        guard expect(32) || expect(84), let hour = number(2), expect(58), let minute = number(2), expect(58),
              let second = number(2) else { return nil }
        seconds += Double(hour * 3600 + minute * 60 + second)
        if expect(46) {
            var scale = 0.1
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                seconds += Double(bytes[index] - 48) * scale
                scale /= 10
                index += 1
            }
        }
        if index == bytes.count || expect(90) { return index == bytes.count ? Date(timeIntervalSince1970: seconds) : nil }
        let sign: Double
        if expect(43) { sign = 1 } else if expect(45) { sign = -1 } else { return nil }
        guard let offsetHours = number(2) else { return nil }
        var offset = Double(offsetHours * 3600)
        if expect(58) || (index < bytes.count) {
            guard let offsetMinutes = number(2) else { return nil }
            offset += Double(offsetMinutes * 60)
        }
        guard index == bytes.count else { return nil }
        return Date(timeIntervalSince1970: seconds - sign * offset)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func days(fromCivil year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

/// wsync's JSON conventions, shared by jsonb columns and `--json` output: snake_case keys, ISO 8601 dates.
public enum PostgresJSON {
    public static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(PostgresTimestamp.format(date))
        }
        return encoder
    }

    public static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = PostgresTimestamp.parse(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a timestamp: \(text)")
            }
            return date
        }
        return decoder
    }
}
