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
        let options = parsedOptions
        let host = options["host"] ?? options["hostaddr"] ?? ProcessInfo.processInfo.environment["PGHOST"] ?? "localhost"
        let database = options["dbname"] ?? ProcessInfo.processInfo.environment["PGDATABASE"]
            ?? options["user"] ?? ProcessInfo.processInfo.environment["PGUSER"] ?? NSUserName()
        return "\(host)/\(database)"
    }

    /// The password given in the connection string, so messages can be scrubbed of it.
    var password: String? {
        parsedOptions["password"].flatMap { $0.isEmpty ? nil : $0 }
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

    /// Removes the password from any text that might echo the connection string.
    func scrub(_ text: String) -> String {
        guard let password, password.count >= 1 else { return text }
        return text.replacingOccurrences(of: password, with: "*****")
    }
}
