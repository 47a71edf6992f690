import CLibPQ
import Foundation

/// A failed connection attempt told in one line: the target libpq really tried (socket path or host and port,
/// database, user — as libpq resolved them from the settings and its defaults), the cause in plain words, and how
/// to fix it. Never a password.
struct ConnectionFailure {
    /// `database "x" on the socket /path/.s.PGSQL.5432 as user "y" (from DATABASE_URL)`.
    let target: String
    /// The cause and the fix.
    let message: String

    init(_ connection: OpaquePointer, configuration: ConnectionConfiguration) {
        func text(_ pointer: UnsafeMutablePointer<CChar>?) -> String? {
            pointer.map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 }
        }
        let raw = String(cString: PQerrorMessage(connection))
        let libpq = configuration.scrub(raw.split(whereSeparator: \.isWhitespace).joined(separator: " "))
        // libpq reports the last host it tried; with a list of hosts the message names each.
        let host = text(PQhost(connection)) ?? "localhost"
        let port = text(PQport(connection)) ?? "5432"
        let database = text(PQdb(connection))
        let user = text(PQuser(connection))
        let isSocket = host.hasPrefix("/") || host.hasPrefix("@")
        let place = isSocket ? "on the socket \(host)/.s.PGSQL.\(port)" : "at \(host):\(port)"
        var target = [database.map { "database \"\($0)\"" }, place, user.map { "as user \"\($0)\"" }].compactMap { $0 }
            .joined(separator: " ")
        target = configuration.scrub(target) + " (\(configuration.originPhrase))"
        self.target = target
        let origin = configuration.origin ?? "the connection settings"
        let lowered = libpq.lowercased()
        let cause: String
        if lowered.contains("password authentication failed") {
            cause = "the server refused the password of user \"\(user ?? "?")\"; correct the password in \(origin) (or in PGPASSWORD or ~/.pgpass)"
        } else if lowered.contains("no password supplied") || lowered.contains("password is required") {
            cause = "the server asks user \"\(user ?? "?")\" for a password and none was given; add it to \(origin) (or to PGPASSWORD or ~/.pgpass)"
        } else if lowered.contains("could not translate host name") || lowered.contains("name or service not known") {
            cause = "the host name \(host) is unknown (it resolves to no address); correct the host in \(origin)"
        } else if lowered.contains("connection refused") {
            cause = "nothing accepts connections at \(host):\(port) (connection refused); start PostgreSQL there or correct the host and port in \(origin)"
        } else if isSocket, lowered.contains("no such file or directory") {
            cause = "no PostgreSQL server has a socket there (no such file); start one, or point \(origin) at the server's host and port"
        } else if lowered.contains("does not exist"), lowered.contains("database") {
            cause = "the server has no database \"\(database ?? "?")\"; create it (createdb) or correct the database name in \(origin)"
        } else if lowered.contains("does not exist"), lowered.contains("role") {
            cause = "the server has no role \"\(user ?? "?")\"; create it or correct the user in \(origin)"
        } else if lowered.contains("invalid port number") || (lowered.contains("invalid integer value") && lowered.contains("\"port\"")) {
            cause = "the port \(port) is not a port number (1 to 65535); correct the port in \(origin)"
        } else if lowered.contains("timeout expired") {
            cause = "no answer within \(configuration.connectTimeout) s; check the host, the port and any firewall between"
        } else if lowered.contains("no pg_hba.conf entry") {
            cause = "the server's pg_hba.conf admits no such connection (\(libpq)); ask its administrator, or connect as another user or over SSL"
        } else if lowered.contains("permission denied") {
            cause = "permission denied (\(libpq)); check who may open the socket or connect"
        } else {
            cause = libpq.isEmpty ? "libpq gave no reason" : libpq
        }
        message = cause + "; " + configuration.settingAdvice
    }
}
