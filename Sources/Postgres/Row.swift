import Foundation

/// One row of a result, copied out of libpq: values in text format, NULL as nil.
public struct Row: Sendable {
    let columns: ResultColumns
    let values: [String?]

    public var columnNames: [String] { columns.names }

    /// Decodes the named column; a NULL decodes only into an Optional.
    public func decode<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        guard let index = columns.index[column] else { throw PostgresError.noSuchColumn(column) }
        return try decode(index, as: type)
    }

    public func decode<T: PostgresDecodable>(_ index: Int, as type: T.Type = T.self) throws -> T {
        let name = columns.names[index]
        return try T.decode(values[index], typeOID: columns.typeOIDs[index], column: name)
    }

    /// Decodes a json/jsonb column into a Decodable value with wsync's JSON conventions.
    public func decodeJSON<T: Decodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        let json: JSONText = try decode(column)
        do {
            return try json.decode(type)
        } catch let error as JSONShapeError {
            throw PostgresError.unreadableJSON(column: column, reason: error.reason)
        }
    }
}

final class ResultColumns: Sendable {
    let names: [String]
    let typeOIDs: [UInt32]
    let index: [String: Int]

    init(names: [String], typeOIDs: [UInt32]) {
        self.names = names
        self.typeOIDs = typeOIDs
        var index: [String: Int] = [:]
        for (position, name) in names.enumerated() where index[name] == nil { index[name] = position }
        self.index = index
    }
}
