/// Errors of the PostgreSQL layer. Descriptions never contain a password: connection targets are shown as host/db.
public enum PostgresError: Error, CustomStringConvertible, Sendable {
    /// Could not connect; `target` is `host/dbname` as far as it is known.
    case connectionFailed(target: String, message: String)
    /// The connection string is not one (a bare word, another scheme, a syntax error): the whole line, with the fix.
    case invalidConnectionString(String)
    /// The connection broke while in use (server stopped or restarted, network gone).
    case connectionLost(message: String)
    /// The server rejected a statement.
    case server(ServerError)
    case unexpectedNull(column: String)
    case typeMismatch(column: String, expected: String, actualTypeOID: UInt32)
    case invalidValue(column: String, expected: String, text: String)
    case noSuchColumn(String)
    /// A json column whose document does not have the expected shape (e.g. a NULL from a column wsync expects set).
    case unreadableJSON(column: String, reason: String)
    case timedOut(String)

    public var description: String {
        switch self {
        case .connectionFailed(let target, let message):
            return "cannot connect to PostgreSQL \(target): \(message)"
        case .invalidConnectionString(let line):
            return line
        case .connectionLost(let message):
            return "lost the connection to PostgreSQL: \(message)"
        case .server(let error):
            return error.description
        case .unexpectedNull(let column):
            return "column \(column) is NULL where a value was expected"
        case .typeMismatch(let column, let expected, let oid):
            return "column \(column) has type oid \(oid), which cannot be read as \(expected)"
        case .invalidValue(let column, let expected, let text):
            return "column \(column): \(text.prefix(40)) is not a valid \(expected)"
        case .unreadableJSON(let column, let reason):
            return "cannot read the database's answer (\(column)): \(reason); a column wsync expects to be set holds NULL or another type"
        case .noSuchColumn(let name):
            return "the result has no column \(name)"
        case .timedOut(let what):
            return "timed out: \(what)"
        }
    }

    /// The server refused a value: a data exception (class 22) or a violated constraint (class 23). Such an error
    /// is about the row, not the connection or the statement, so another row may still go in.
    public var isRefusedValue: Bool {
        guard let code = sqlState?.rawValue else { return false }
        return code.hasPrefix("22") || code.hasPrefix("23")
    }

    /// The database went away rather than refused: the connection broke or could not be made, or the server is
    /// shutting down, restarting or starting up (SQLSTATE class 08, 57P01–57P03). Worth trying again, on a new
    /// connection, once it is back; nothing about the statement or its rows was wrong.
    public var isConnectionLoss: Bool {
        switch self {
        case .connectionLost, .connectionFailed: return true
        case .server(let error):
            let code = error.sqlState.rawValue
            return code.hasPrefix("08") || ["57P01", "57P02", "57P03"].contains(code)
        default: return false
        }
    }

    /// The server's SQLSTATE when the server rejected the statement.
    public var sqlState: SQLState? {
        if case .server(let error) = self { return error.sqlState }
        return nil
    }
}

/// What the server said about a failed statement.
public struct ServerError: Sendable, CustomStringConvertible {
    public var sqlState: SQLState
    public var message: String
    public var detail: String?
    public var hint: String?
    public var constraint: String?

    public var description: String {
        var text = message
        if let detail, !detail.isEmpty { text += " (\(detail))" }
        if let hint, !hint.isEmpty { text += "; hint: \(hint)" }
        return text
    }
}

/// A five-character SQLSTATE code, with names for the ones wsync reacts to.
public struct SQLState: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    public static let uniqueViolation = SQLState(rawValue: "23505")
    public static let checkViolation = SQLState(rawValue: "23514")
    public static let foreignKeyViolation = SQLState(rawValue: "23503")
    public static let notNullViolation = SQLState(rawValue: "23502")
    public static let invalidTextRepresentation = SQLState(rawValue: "22P02")
    public static let undefinedTable = SQLState(rawValue: "42P01")
    public static let undefinedColumn = SQLState(rawValue: "42703")
    public static let undefinedFile = SQLState(rawValue: "58P01")
    public static let insufficientPrivilege = SQLState(rawValue: "42501")
    public static let readOnlySQLTransaction = SQLState(rawValue: "25006")
    public static let serializationFailure = SQLState(rawValue: "40001")
    public static let deadlockDetected = SQLState(rawValue: "40P01")
    public static let adminShutdown = SQLState(rawValue: "57P01")
    public static let queryCanceled = SQLState(rawValue: "57014")
    public static let lockNotAvailable = SQLState(rawValue: "55P03")
    public static let invalidCatalogName = SQLState(rawValue: "3D000")
    public static let duplicateDatabase = SQLState(rawValue: "42P04")

    /// Class 08 (connection exception) and shutdown codes mean the connection is gone.
    public var meansConnectionLost: Bool {
        rawValue.hasPrefix("08") || self == .adminShutdown || rawValue == "57P02" || rawValue == "57P03"
    }
}
