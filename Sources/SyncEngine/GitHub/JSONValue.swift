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
        var replaced = 0
        return storable(counting: &replaced)
    }

    /// The same, adding the U+0000 characters it replaced to `replaced`. Two keys that become equal keep the first.
    func storable(counting replaced: inout Int) -> JSONValue {
        switch self {
        case .string(let value): return .string(value.storable(counting: &replaced))
        case .array(let values): return .array(values.map { $0.storable(counting: &replaced) })
        case .object(let fields):
            var result: [String: JSONValue] = [:]
            for key in fields.keys.sorted() {
                let storedKey = key.storable(counting: &replaced)
                let value = fields[key]!.storable(counting: &replaced)
                if result[storedKey] == nil { result[storedKey] = value }
            }
            return .object(result)
        default: return self
        }
    }
}

extension String {
    /// PostgreSQL text and jsonb cannot hold U+0000; it becomes U+FFFD (the replacement character) so the page stores.
    var storable: String {
        var replaced = 0
        return storable(counting: &replaced)
    }

    /// The same, adding the number of U+0000 characters replaced to `replaced`.
    func storable(counting replaced: inout Int) -> String {
        guard utf8.contains(0) else { return self }
        var out = String.UnicodeScalarView()
        for scalar in unicodeScalars {
            if scalar.value == 0 {
                replaced += 1
                out.append("\u{FFFD}")
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }
}
