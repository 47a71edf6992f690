import Foundation

/// PostgreSQL type OIDs wsync reads.
public enum PostgresType {
    public static let bool: UInt32 = 16
    public static let int8: UInt32 = 20
    public static let int2: UInt32 = 21
    public static let int4: UInt32 = 23
    public static let text: UInt32 = 25
    public static let oid: UInt32 = 26
    public static let json: UInt32 = 114
    public static let float4: UInt32 = 700
    public static let float8: UInt32 = 701
    public static let unknown: UInt32 = 705
    public static let bpchar: UInt32 = 1042
    public static let varchar: UInt32 = 1043
    public static let name: UInt32 = 19
    public static let date: UInt32 = 1082
    public static let timestamp: UInt32 = 1114
    public static let timestamptz: UInt32 = 1184
    public static let interval: UInt32 = 1186
    public static let numeric: UInt32 = 1700
    public static let uuid: UInt32 = 2950
    public static let jsonb: UInt32 = 3802
    public static let textArray: UInt32 = 1009
    public static let varcharArray: UInt32 = 1015
    public static let int4Array: UInt32 = 1007
    public static let int8Array: UInt32 = 1016
    public static let uuidArray: UInt32 = 2951

    static let textual: Set<UInt32> = [text, varchar, bpchar, name, unknown]
    static let integers: Set<UInt32> = [int2, int4, int8, oid]
}

/// A Swift type that can be read from a column in text format.
public protocol PostgresDecodable {
    static func decode(_ text: String?, typeOID: UInt32, column: String) throws -> Self
}

/// Types that read a non-NULL value; NULL handling is shared.
public protocol PostgresValueDecodable: PostgresDecodable {
    static var acceptedTypeOIDs: Set<UInt32> { get }
    static func parse(_ text: String) -> Self?
}

extension PostgresValueDecodable {
    public static func decode(_ text: String?, typeOID: UInt32, column: String) throws -> Self {
        guard acceptedTypeOIDs.contains(typeOID) else {
            throw PostgresError.typeMismatch(column: column, expected: String(describing: Self.self), actualTypeOID: typeOID)
        }
        guard let text else { throw PostgresError.unexpectedNull(column: column) }
        guard let value = parse(text) else {
            throw PostgresError.invalidValue(column: column, expected: String(describing: Self.self), text: text)
        }
        return value
    }
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    public static func decode(_ text: String?, typeOID: UInt32, column: String) throws -> Self {
        guard text != nil else { return nil }
        return try Wrapped.decode(text, typeOID: typeOID, column: column)
    }
}

extension String: PostgresValueDecodable {
    public static let acceptedTypeOIDs = PostgresType.textual.union([PostgresType.uuid, PostgresType.json, PostgresType.jsonb])
    public static func parse(_ text: String) -> String? { text }
}

extension Int: PostgresValueDecodable {
    /// numeric is accepted when integral: SUM over bigint yields numeric.
    public static let acceptedTypeOIDs = PostgresType.integers.union([PostgresType.numeric])
    public static func parse(_ text: String) -> Int? {
        if let value = Int(text) { return value }
        guard text.hasSuffix(".0") || text.contains("."), let double = Double(text), double == double.rounded() else { return nil }
        return Int(exactly: double)
    }
}

extension Int64: PostgresValueDecodable {
    public static let acceptedTypeOIDs = Int.acceptedTypeOIDs
    public static func parse(_ text: String) -> Int64? { Int.parse(text).map(Int64.init) }
}

extension Double: PostgresValueDecodable {
    public static let acceptedTypeOIDs = PostgresType.integers.union([PostgresType.numeric, PostgresType.float4, PostgresType.float8])
    public static func parse(_ text: String) -> Double? { Double(text) }
}

extension Bool: PostgresValueDecodable {
    public static let acceptedTypeOIDs: Set<UInt32> = [PostgresType.bool]
    public static func parse(_ text: String) -> Bool? {
        switch text {
        case "t": return true
        case "f": return false
        default: return nil
        }
    }
}

extension UUID: PostgresValueDecodable {
    public static let acceptedTypeOIDs: Set<UInt32> = PostgresType.textual.union([PostgresType.uuid])
    public static func parse(_ text: String) -> UUID? { UUID(uuidString: text) }
}

extension Date: PostgresValueDecodable {
    public static let acceptedTypeOIDs: Set<UInt32> = [PostgresType.timestamptz, PostgresType.timestamp, PostgresType.date]
    public static func parse(_ text: String) -> Date? { PostgresTimestamp.parse(text) }
}

extension CalendarDay: PostgresValueDecodable {
    public static let acceptedTypeOIDs: Set<UInt32> = [PostgresType.date]
    public static func parse(_ text: String) -> CalendarDay? { CalendarDay(text) }
}

extension JSONText: PostgresValueDecodable {
    public static let acceptedTypeOIDs: Set<UInt32> = PostgresType.textual.union([PostgresType.json, PostgresType.jsonb])
    public static func parse(_ text: String) -> JSONText? { JSONText(text) }
}

/// One-dimensional arrays of text, uuid or integers.
extension Array: PostgresDecodable where Element: PostgresValueDecodable {
    public static func decode(_ text: String?, typeOID: UInt32, column: String) throws -> [Element] {
        let accepted: Set<UInt32> = [PostgresType.textArray, PostgresType.varcharArray, PostgresType.int4Array,
                                     PostgresType.int8Array, PostgresType.uuidArray]
        guard accepted.contains(typeOID) else {
            throw PostgresError.typeMismatch(column: column, expected: "[\(Element.self)]", actualTypeOID: typeOID)
        }
        guard let text else { throw PostgresError.unexpectedNull(column: column) }
        guard let items = PostgresArrayLiteral.parse(text) else {
            throw PostgresError.invalidValue(column: column, expected: "array", text: text)
        }
        return try items.map { item in
            guard let item else { throw PostgresError.unexpectedNull(column: column) }
            guard let value = Element.parse(item) else {
                throw PostgresError.invalidValue(column: column, expected: String(describing: Element.self), text: item)
            }
            return value
        }
    }
}

enum PostgresArrayLiteral {
    /// Parses `{a,"b c",NULL}` into its elements.
    static func parse(_ text: String) -> [String?]? {
        var characters = Substring(text)
        guard characters.first == "{", characters.last == "}" else { return nil }
        characters = characters.dropFirst().dropLast()
        if characters.isEmpty { return [] }
        var items: [String?] = []
        var current = ""
        var quoted = false
        var wasQuoted = false
        var escaping = false
        for character in characters {
            if escaping {
                current.append(character)
                escaping = false
            } else if character == "\\" {
                escaping = true
            } else if character == "\"" {
                quoted.toggle()
                wasQuoted = true
            } else if character == ",", !quoted {
                items.append(!wasQuoted && current == "NULL" ? nil : current)
                current = ""
                wasQuoted = false
            } else {
                current.append(character)
            }
        }
        items.append(!wasQuoted && current == "NULL" ? nil : current)
        return items
    }
}
