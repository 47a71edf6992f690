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
    /// Where `conninfo` came from, for messages ("DATABASE_URL", "--database-url"); nil when it came from the program.
    public var origin: String?
    /// How the user sets the connection, said after every connection failure (the face that read the settings
    /// knows its flags and variables).
    public var settingAdvice: String

    public init(conninfo: String? = nil, readOnly: Bool = false, applicationName: String = "wsync", connectTimeout: Int = 10,
                origin: String? = nil, settingAdvice: String = "check the connection string") {
        self.conninfo = conninfo.flatMap { $0.isEmpty ? nil : $0 }
        self.readOnly = readOnly
        self.applicationName = applicationName
        self.connectTimeout = connectTimeout
        self.origin = origin
        self.settingAdvice = settingAdvice
    }

    /// Why `conninfo` is not a connection string at all, or nil when it is one (or there is none). libpq would take a
    /// bare word as a database name; wsync reads DATABASE_URL, so a value that is neither a `postgres://` or
    /// `postgresql://` URL nor `key=value` settings is a mistake (a typo, a variable holding something else).
    /// Never quotes a password.
    public var malformation: String? {
        guard let conninfo else { return nil }
        let trimmed = conninfo.trimmingCharacters(in: .whitespacesAndNewlines)
        let lowered = trimmed.lowercased()
        let isURL = lowered.hasPrefix("postgresql://") || lowered.hasPrefix("postgres://")
        if !isURL {
            if lowered.contains("://") {
                let scheme = trimmed.prefix { $0 != ":" }
                return "its scheme is \(SafeScheme.word(scheme)), not postgresql:// or postgres://"
            }
            if !trimmed.contains("=") {
                return "it is neither a postgresql:// URL nor key=value settings (libpq would take the whole value for a database name)"
            }
        }
        var errorMessage: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(conninfo, &errorMessage) else {
            let message = errorMessage.map { String(cString: $0) } ?? "it cannot be parsed"
            if let errorMessage { PQfreemem(errorMessage) }
            // libpq quotes the piece it could not parse, which may hold the password when the string is mangled
            // (a missing slash, a stray quote): the quoted pieces are left out.
            return Self.unquoted(message.split(whereSeparator: \.isWhitespace).joined(separator: " "))
        }
        PQconninfoFree(options)
        return nil
    }

    /// libpq's complaint up to the first piece it quotes (which may hold a mangled password): "invalid port number",
    /// "invalid connection option", "end of string reached when looking for matching".
    static func unquoted(_ message: String) -> String {
        let head = message.prefix { $0 != "\"" }.trimmingCharacters(in: CharacterSet(charactersIn: " :"))
        return head.count >= 15 ? "libpq cannot parse it (\(head))" : "libpq cannot parse it (a missing \"=\", quote or bracket)"
    }

    /// "from DATABASE_URL", or what libpq fell back to when nothing was given.
    var originPhrase: String {
        if let origin { return "from \(origin)" }
        if conninfo == nil { return "nothing configured: libpq's defaults and PGHOST, PGPORT, PGUSER, PGDATABASE" }
        return "as configured"
    }

    /// `host/dbname` as libpq would resolve them, for messages; never includes a password.
    public var displayTarget: String {
        let options = parsedOptions.isEmpty ? roughURLTarget : parsedOptions
        let host = options["host"] ?? options["hostaddr"] ?? ProcessInfo.processInfo.environment["PGHOST"] ?? "localhost"
        let database = options["dbname"] ?? ProcessInfo.processInfo.environment["PGDATABASE"]
            ?? options["user"] ?? ProcessInfo.processInfo.environment["PGUSER"] ?? NSUserName()
        return scrub("\(host)/\(database)")
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
        var host = at.map { authority[authority.index(after: $0)...] } ?? authority
        // Only what can be a host list ("h1:5432,[::1]") is named; anything else may be a mangled password.
        if !host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-.:,[]_".contains($0)) }) { host = "" }
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
    public func scrub(_ text: String) -> String {
        passwords.reduce(text) { $0.replacingOccurrences(of: $1, with: "*****") }
    }
}

/// A URL scheme as a message may quote it: short, and letters, digits, `+`, `-` and `.` only.
enum SafeScheme {
    static func word(_ scheme: Substring) -> String {
        // Named only when it looks like a scheme (a typo such as postgress://), never a longer piece of the value.
        guard (1...12).contains(scheme.count), scheme.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) }) else {
            return "not a known one"
        }
        return "\(scheme)://"
    }
}
