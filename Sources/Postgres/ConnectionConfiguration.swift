import CLibPQ
import Foundation

/// Where and how to connect. `conninfo` is a postgres:// URL or a `key=value` string; nil means libpq's own
/// defaults (PGHOST, PGUSER, PGDATABASE, service files, .pgpass).
public struct ConnectionConfiguration: Sendable {
    public var conninfo: String?
    /// Opens the session with `default_transaction_read_only = on`.
    public var readOnly: Bool
    public var applicationName: String
    /// Seconds libpq waits for a connection before giving up.
    public var connectTimeout: Int

    public init(conninfo: String? = nil, readOnly: Bool = false, applicationName: String = "wsync", connectTimeout: Int = 10) {
        self.conninfo = conninfo.flatMap { $0.isEmpty ? nil : $0 }
        self.readOnly = readOnly
        self.applicationName = applicationName
        self.connectTimeout = connectTimeout
    }

    /// `host/dbname` as libpq would resolve them, for messages; never includes a password.
    public var displayTarget: String {
        let options = parsedOptions.isEmpty ? roughURLTarget : parsedOptions
        let host = options["host"] ?? options["hostaddr"] ?? ProcessInfo.processInfo.environment["PGHOST"] ?? "localhost"
        let database = options["dbname"] ?? ProcessInfo.processInfo.environment["PGDATABASE"]
            ?? options["user"] ?? ProcessInfo.processInfo.environment["PGUSER"] ?? NSUserName()
        return "\(host)/\(database)"
    }

    /// The connection string without its password, as `key=value` pairs libpq reads back (for a command line to copy);
    /// nil when there is none (libpq's defaults) or libpq cannot parse it. The password then comes from where libpq
    /// finds one on its own (PGPASSWORD, .pgpass).
    public var conninfoWithoutPassword: String? {
        guard conninfo != nil else { return nil }
        let options = parsedOptions.filter { $0.key != "password" }
        guard !options.isEmpty else { return nil }
        let order = ["host", "hostaddr", "port", "dbname", "user"]
        let keys = options.keys.sorted { a, b in
            let (i, j) = (order.firstIndex(of: a) ?? order.count, order.firstIndex(of: b) ?? order.count)
            return i != j ? i < j : a < b
        }
        return keys.map { "\($0)=\(Self.conninfoValue(options[$0]!))" }.joined(separator: " ")
    }

    /// A conninfo value, quoted when it holds anything but plain characters.
    static func conninfoValue(_ value: String) -> String {
        let plain = !value.isEmpty && value.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-/:@,".contains($0)) }
        if plain { return value }
        return "'" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
    }

    /// The passwords given in the connection string (as written and percent-decoded), so messages can be scrubbed of
    /// them — also when libpq cannot parse the string, since its complaint may quote it.
    var passwords: [String] {
        var found = [parsedOptions["password"], roughPassword].compactMap { $0 }
        found += found.compactMap { $0.removingPercentEncoding }
        return Array(Set(found.filter { !$0.isEmpty })).sorted { $0.count > $1.count }
    }

    /// The options spelled out in `conninfo`, parsed by libpq itself (URLs and key=value alike).
    var parsedOptions: [String: String] {
        guard let conninfo else { return [:] }
        var errorMessage: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(conninfo, &errorMessage) else {
            if let errorMessage { PQfreemem(errorMessage) }
            return [:]
        }
        defer { PQconninfoFree(options) }
        var result: [String: String] = [:]
        var option = options
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val { result[String(cString: keyword)] = String(cString: value) }
            option += 1
        }
        return result
    }

    /// `scheme://user:password@host/db?…` split by hand, for strings libpq rejects.
    private var urlParts: (userInfo: Substring?, host: Substring, database: Substring?)? {
        guard let conninfo, let schemeEnd = conninfo.range(of: "://") else { return nil }
        let rest = conninfo[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        let at = authority.lastIndex(of: "@")
        let userInfo = at.map { authority[..<$0] }
        let host = at.map { authority[authority.index(after: $0)...] } ?? authority
        var database: Substring?
        if authorityEnd < rest.endIndex, rest[authorityEnd] == "/" {
            let path = rest[rest.index(after: authorityEnd)...]
            database = path[..<(path.firstIndex(of: "?") ?? path.endIndex)]
        }
        return (userInfo, host, database)
    }

    private var roughURLTarget: [String: String] {
        guard let parts = urlParts else { return [:] }
        var options: [String: String] = [:]
        if !parts.host.isEmpty { options["host"] = String(parts.host) }
        if let database = parts.database, !database.isEmpty { options["dbname"] = String(database) }
        return options
    }

    private var roughPassword: String? {
        if let userInfo = urlParts?.userInfo, let colon = userInfo.firstIndex(of: ":") {
            return String(userInfo[userInfo.index(after: colon)...])
        }
        guard let conninfo, let match = conninfo.range(of: #"password\s*=\s*('(?:[^'\\]|\\.)*'|\S+)"#, options: .regularExpression) else {
            return nil
        }
        let value = conninfo[match].split(separator: "=", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) }
        return value.map { $0.hasPrefix("'") && $0.hasSuffix("'") && $0.count >= 2 ? String($0.dropFirst().dropLast()) : $0 }
    }

    /// Removes the password from any text that might echo the connection string.
    func scrub(_ text: String) -> String {
        passwords.reduce(text) { $0.replacingOccurrences(of: $1, with: "*****") }
    }
}
