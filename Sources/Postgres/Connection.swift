import CLibPQ
import Foundation

/// A blocking connection to PostgreSQL over libpq.
///
/// Not `Sendable`: one thread uses it at a time, and code that runs concurrently borrows one only inside a closure
/// (`DatabaseQueue.run`), on that queue's thread. It runs one statement at a time: give each concurrent worker its
/// own connection. The session always runs in UTC.
public final class Connection {
    private let handle: OpaquePointer
    private var transactionDepth = 0
    private var lost = false
    private var memo: [String: Any] = [:]
    /// Statement names by text, for the statements this connection has prepared.
    private var prepared: [String: String] = [:]
    public let configuration: ConnectionConfiguration

    /// Connects, or throws `connectionFailed` naming host/db (never the password).
    public init(_ configuration: ConnectionConfiguration = ConnectionConfiguration()) throws {
        self.configuration = configuration
        if let problem = configuration.malformation {
            throw PostgresError.invalidConnectionString(
                "\(configuration.origin ?? "the connection string") is not a PostgreSQL connection string: \(problem); \(configuration.settingAdvice)")
        }
        var keywords = ["fallback_application_name", "connect_timeout", "options"]
        var values = [configuration.applicationName, String(configuration.connectTimeout),
                      "-c TimeZone=UTC" + (configuration.readOnly ? " -c default_transaction_read_only=on" : "")]
        if let conninfo = configuration.conninfo {
            keywords.append("dbname")
            values.append(conninfo)
        }
        let connection: OpaquePointer? = withCStringArray(keywords) { keywordPointers in
            withCStringArray(values) { valuePointers in
                PQconnectdbParams(keywordPointers, valuePointers, 1)
            }
        }
        guard let connection else {
            throw PostgresError.connectionFailed(target: configuration.displayTarget, message: "out of memory")
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let failure = ConnectionFailure(connection, configuration: configuration)
            PQfinish(connection)
            throw PostgresError.connectionFailed(target: failure.target, message: failure.message)
        }
        handle = connection
        PQsetNoticeProcessor(handle, { _, _ in }, nil)
        // A connection string's own `options` replace the startup options above: then the session is set up here.
        if configuration.parsedOptions["options"] != nil { try execute("SET TimeZone = 'UTC'") }
        if configuration.readOnly {
            // Always set here too, not only in the startup options, so nothing in the string can lift it.
            try execute("SET default_transaction_read_only = on")
            guard try query("SHOW default_transaction_read_only").first?.values.first == "on" else {
                throw PostgresError.connectionFailed(target: displayTarget, message: "the session could not be made read-only")
            }
        }
    }

    deinit {
        PQfinish(handle)
    }

    /// `host/dbname` of the live connection, for headers and messages.
    public var displayTarget: String {
        let host = PQhost(handle).map { String(cString: $0) } ?? "localhost"
        let database = PQdb(handle).map { String(cString: $0) } ?? ""
        return "\(host)/\(database)"
    }

    public var databaseName: String {
        PQdb(handle).map { String(cString: $0) } ?? ""
    }

    /// False once the server has gone away.
    public var isAlive: Bool {
        !lost && PQstatus(handle) == CONNECTION_OK
    }

    /// Runs a statement and returns its rows.
    @discardableResult
    public func query(_ sql: SQL) throws -> [Row] {
        try run(sql).rows
    }

    /// Runs a statement that this connection prepares on first use and then only executes: for a statement run
    /// again and again (the dashboard's refresh), which then skips parsing and planning.
    public func queryPrepared(_ sql: SQL) throws -> [Row] {
        let name = try preparedName(sql)
        return try outcome(of: withOptionalCStringArray(sql.binds) { values in
            PQexecPrepared(handle, name, Int32(sql.binds.count), values, nil, nil, 0)
        }).rows
    }

    private func preparedName(_ sql: SQL) throws -> String {
        if let known = prepared[sql.text] { return known }
        let name = "wsync_prepared_\(prepared.count + 1)"
        _ = try outcome(of: PQprepare(handle, name, sql.text, Int32(sql.binds.count), nil))
        prepared[sql.text] = name
        return name
    }

    /// Runs a statement and returns the number of rows it affected.
    @discardableResult
    public func execute(_ sql: SQL) throws -> Int {
        try run(sql).affected
    }

    /// Runs a parameterless script of several statements (migrations). Literal text only.
    public func executeScript(_ script: SQL) throws {
        precondition(script.binds.isEmpty, "a script takes no parameters")
        _ = try run(script)
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    /// Nested calls run inside the outer transaction.
    public func transaction<T>(readOnly: Bool = false, _ body: (Connection) throws -> T) throws -> T {
        if transactionDepth > 0 { return try body(self) }
        try execute(readOnly ? "BEGIN READ ONLY" : "BEGIN")
        transactionDepth += 1
        defer { transactionDepth -= 1 }
        do {
            let result = try body(self)
            try execute("COMMIT")
            return result
        } catch {
            if PQstatus(handle) == CONNECTION_OK { _ = try? execute("ROLLBACK") }
            throw error
        }
    }

    /// Runs `body` inside the current transaction so that its failure undoes only its own writes: the transaction
    /// goes on as it was before `body` (a savepoint, rolled back to on throw).
    public func savepoint<T>(_ body: (Connection) throws -> T) throws -> T {
        precondition(transactionDepth > 0, "a savepoint needs a transaction")
        try execute("SAVEPOINT wsync_item")
        do {
            let result = try body(self)
            try execute("RELEASE SAVEPOINT wsync_item")
            return result
        } catch {
            if PQstatus(handle) == CONNECTION_OK { try execute("ROLLBACK TO SAVEPOINT wsync_item") }
            throw error
        }
    }

    /// A value derived from this connection's database (what its catalog says), computed on first use and kept for
    /// the life of the connection; a reconnect is a new connection and reads it again.
    public func memoized<Value>(_ key: String, _ compute: (Connection) throws -> Value) throws -> Value {
        if let known = memo[key] as? Value { return known }
        let value = try compute(self)
        memo[key] = value
        return value
    }

    // MARK: LISTEN / NOTIFY

    public struct Notification: Sendable, Equatable {
        public var channel: String
        public var payload: String
    }

    /// Subscribes to a channel. Channel names are wsync's own constants: lower-case letters, digits and `_`.
    public func listen(_ channel: String) throws {
        try execute("LISTEN \(identifier: SQLIdentifier(channel))")
    }

    public func notify(_ channel: String, payload: String = "") throws {
        try execute("SELECT pg_notify(\(channel), \(payload))")
    }

    /// Waits up to `timeout` seconds for a notification; nil when none arrived.
    public func waitForNotification(timeout: TimeInterval) throws -> Notification? {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let notification = try nextQueuedNotification() { return notification }
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0 { return nil }
            var descriptor = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
            guard descriptor.fd >= 0 else { throw PostgresError.connectionLost(message: "no socket") }
            let ready = poll(&descriptor, 1, Int32(min(remaining, 3600) * 1000))
            if ready < 0, errno != EINTR { throw PostgresError.connectionLost(message: String(cString: strerror(errno))) }
        }
    }

    private func nextQueuedNotification() throws -> Notification? {
        guard PQconsumeInput(handle) == 1 else {
            throw PostgresError.connectionLost(message: Self.trimmedMessage(PQerrorMessage(handle)))
        }
        guard let notify = PQnotifies(handle) else { return nil }
        defer { PQfreemem(notify) }
        return Notification(channel: String(cString: notify.pointee.relname), payload: String(cString: notify.pointee.extra))
    }

    // MARK: COPY

    /// Runs `COPY … FROM STDIN` (literal text, no parameters) with `data` as its whole input, in the format the
    /// statement names; returns the number of rows copied.
    @discardableResult
    public func copy(_ statement: SQL, from data: Data) throws -> Int {
        precondition(statement.binds.isEmpty, "COPY takes no parameters")
        let started = PQexec(handle, statement.text)
        guard PQresultStatus(started) == PGRES_COPY_IN else {
            _ = try outcome(of: started)
            preconditionFailure("not a COPY FROM STDIN statement")
        }
        PQclear(started)
        let sent = data.withUnsafeBytes { bytes in
            PQputCopyData(handle, bytes.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(bytes.count))
        }
        guard sent == 1, PQputCopyEnd(handle, nil) == 1 else {
            lost = true
            throw PostgresError.connectionLost(message: configuration.scrub(Self.trimmedMessage(PQerrorMessage(handle))))
        }
        // The COPY's own result, then the end of results, which libpq needs read before the next statement.
        let copied = Result { try outcome(of: PQgetResult(handle)).affected }
        while let extra = PQgetResult(handle) { PQclear(extra) }
        return try copied.get()
    }

    // MARK: Execution

    private struct Outcome {
        var rows: [Row]
        var affected: Int
    }

    private func run(_ sql: SQL) throws -> Outcome {
        let result: OpaquePointer?
        if sql.binds.isEmpty {
            result = PQexec(handle, sql.text)
        } else {
            result = withOptionalCStringArray(sql.binds) { values in
                PQexecParams(handle, sql.text, Int32(sql.binds.count), nil, values, nil, nil, 0)
            }
        }
        return try outcome(of: result)
    }

    private func outcome(of result: OpaquePointer?) throws -> Outcome {
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        switch status {
        case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
            return Outcome(rows: rows(of: result), affected: Int(String(cString: PQcmdTuples(result))) ?? 0)
        default:
            throw failure(of: result)
        }
    }

    private func failure(of result: OpaquePointer?) -> PostgresError {
        let code = field(result, wsync_diag_sqlstate()).map(SQLState.init(rawValue:))
        // No SQLSTATE means libpq itself failed the statement: the socket is gone or unusable.
        if PQstatus(handle) != CONNECTION_OK || result == nil || code == nil || code?.meansConnectionLost == true {
            lost = true
            let message = field(result, wsync_diag_message_primary()) ?? Self.trimmedMessage(PQerrorMessage(handle))
            return .connectionLost(message: configuration.scrub(message))
        }
        return .server(ServerError(
            sqlState: code ?? SQLState(rawValue: "XX000"),
            message: configuration.scrub(field(result, wsync_diag_message_primary()) ?? Self.trimmedMessage(PQerrorMessage(handle))),
            detail: field(result, wsync_diag_message_detail()).map(configuration.scrub),
            hint: field(result, wsync_diag_message_hint()),
            constraint: field(result, wsync_diag_constraint_name())
        ))
    }

    private func field(_ result: OpaquePointer?, _ code: Int32) -> String? {
        guard let result, let value = PQresultErrorField(result, code) else { return nil }
        return String(cString: value)
    }

    private func rows(of result: OpaquePointer?) -> [Row] {
        guard let result else { return [] }
        let columnCount = PQnfields(result)
        let rowCount = PQntuples(result)
        guard columnCount > 0 else { return [] }
        let columns = ResultColumns(
            names: (0..<columnCount).map { String(cString: PQfname(result, $0)) },
            typeOIDs: (0..<columnCount).map { UInt32(PQftype(result, $0)) }
        )
        var rows: [Row] = []
        rows.reserveCapacity(Int(rowCount))
        for rowIndex in 0..<rowCount {
            let values: [String?] = (0..<columnCount).map { column in
                PQgetisnull(result, rowIndex, column) == 1 ? nil : String(cString: PQgetvalue(result, rowIndex, column))
            }
            rows.append(Row(columns: columns, values: values))
        }
        return rows
    }

    private static func trimmedMessage(_ message: UnsafePointer<CChar>?) -> String {
        guard let message else { return "unknown error" }
        return String(cString: message).split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}

private func withCStringArray<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    var pointers: [UnsafePointer<CChar>?] = strings.map { UnsafePointer(strdup($0)) }
    pointers.append(nil)
    defer { pointers.forEach { free(UnsafeMutablePointer(mutating: $0)) } }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}

private func withOptionalCStringArray<R>(_ strings: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    let pointers: [UnsafePointer<CChar>?] = strings.map { $0.map { UnsafePointer(strdup($0)) } ?? nil }
    defer { pointers.forEach { free(UnsafeMutablePointer(mutating: $0)) } }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}
