import Foundation

/// A value that can be bound as a query parameter, sent in PostgreSQL's text format.
public protocol PostgresEncodable: Sendable {
    /// The text representation PostgreSQL parses, or nil for NULL.
    var postgresText: String? { get }
}

extension String: PostgresEncodable {
    public var postgresText: String? { self }
}

extension Substring: PostgresEncodable {
    public var postgresText: String? { String(self) }
}

extension Int: PostgresEncodable {
    public var postgresText: String? { String(self) }
}

extension Int32: PostgresEncodable {
    public var postgresText: String? { String(self) }
}

extension Int64: PostgresEncodable {
    public var postgresText: String? { String(self) }
}

extension Double: PostgresEncodable {
    public var postgresText: String? {
        if isNaN { return "NaN" }
        if isInfinite { return self > 0 ? "Infinity" : "-Infinity" }
        return String(self)
    }
}

extension Bool: PostgresEncodable {
    public var postgresText: String? { self ? "t" : "f" }
}

extension UUID: PostgresEncodable {
    public var postgresText: String? { uuidString.lowercased() }
}

extension Date: PostgresEncodable {
    public var postgresText: String? { PostgresTimestamp.format(self) }
}

extension Optional: PostgresEncodable where Wrapped: PostgresEncodable {
    public var postgresText: String? {
        switch self {
        case .none: return nil
        case .some(let value): return value.postgresText
        }
    }
}

/// Arrays bind as PostgreSQL array literals; cast the placeholder (`\(ids)::uuid[]`) where the type is ambiguous.
extension Array: PostgresEncodable where Element: PostgresEncodable {
    public var postgresText: String? {
        let items = map { element -> String in
            guard let text = element.postgresText else { return "NULL" }
            let escaped = text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            return "\"\(escaped)\""
        }
        return "{" + items.joined(separator: ",") + "}"
    }
}

/// A JSON document bound or read as json/jsonb text. Cast the placeholder with `::jsonb`.
public struct JSONText: PostgresEncodable, Hashable {
    public var text: String

    public init(_ text: String) {
        self.text = text
    }

    /// Encodes a value with wsync's JSON conventions (snake_case keys, ISO 8601 dates).
    public init(encoding value: some Encodable) throws {
        text = String(decoding: try PostgresJSON.encoder.encode(value), as: UTF8.self)
    }

    public var postgresText: String? { text }

    /// Throws `JSONShapeError` naming the field when the document does not fit `type`.
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let decoder = PostgresJSON.decoder
        do {
            return try decoder.decode(type, from: Data(text.utf8))
        } catch let error as DecodingError {
            // Described here, while the decoder that made the coding path is alive.
            throw JSONShapeError(error)
        }
    }
}

/// A JSON document that does not have the expected shape: "[3].workspace is NULL".
public struct JSONShapeError: Error, CustomStringConvertible {
    public let reason: String
    public var description: String { reason }

    init(_ error: DecodingError) {
        switch error {
        case .valueNotFound(_, let context): reason = Self.path(context) + " is NULL"
        case .keyNotFound(let key, let context): reason = Self.path(context) + " has no " + key.stringValue
        case .typeMismatch(let type, let context): reason = Self.path(context) + " is not a \(type)"
        case .dataCorrupted(let context): reason = Self.path(context) + ": " + context.debugDescription
        @unknown default: reason = "\(error)"
        }
    }

    private static func path(_ context: DecodingError.Context) -> String {
        var text = ""
        for key in context.codingPath {
            if let index = key.intValue { text += "[\(index)]" } else { text += (text.isEmpty ? "" : ".") + snakeCase(key.stringValue) }
        }
        return text.isEmpty ? "the value" : text
    }

    /// The column's name as the database spells it (the decoder converted it from snake_case).
    private static func snakeCase(_ name: String) -> String {
        name.reduce(into: "") { out, character in
            if character.isUppercase { out += "_" + character.lowercased() } else { out.append(character) }
        }
    }
}

/// A calendar day (PostgreSQL `date`), independent of time zones.
public struct CalendarDay: PostgresEncodable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// The UTC day a moment falls on.
    public init(_ date: Date) {
        let days = Int((date.timeIntervalSince1970 / 86_400).rounded(.down))
        (year, month, day) = PostgresTimestamp.civil(fromDays: days)
    }

    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "-")
        guard parts.count == 3, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              (1...12).contains(m), (1...31).contains(d) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    public var description: String {
        String(format: "%04d-%02d-%02d", year, month, day)
    }

    public var postgresText: String? { description }

    public static func < (lhs: CalendarDay, rhs: CalendarDay) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let day = CalendarDay(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a date: \(text)"))
        }
        self = day
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
