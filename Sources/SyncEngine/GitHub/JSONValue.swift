import Foundation

/// Arbitrary JSON kept as received (labels, assignees, milestone are stored as jsonb).
public enum JSONValue: Sendable, Equatable, Codable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value):
            if value == value.rounded(), abs(value) < 9e15 { try container.encode(Int64(value)) } else { try container.encode(value) }
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// The same value with every string (keys too) made storable by PostgreSQL.
    var storable: JSONValue {
        switch self {
        case .string(let value): .string(value.storable)
        case .array(let values): .array(values.map(\.storable))
        case .object(let fields): .object(Dictionary(uniqueKeysWithValues: fields.map { ($0.key.storable, $0.value.storable) }))
        default: self
        }
    }
}

extension String {
    /// PostgreSQL text and jsonb cannot hold U+0000; it becomes U+FFFD (the replacement character) so the page stores.
    var storable: String {
        contains("\u{0000}") ? replacingOccurrences(of: "\u{0000}", with: "\u{FFFD}") : self
    }
}
