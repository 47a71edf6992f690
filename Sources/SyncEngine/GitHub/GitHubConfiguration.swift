import Foundation

/// Where and how to reach GitHub: `GITHUB_API_URL` (default https://api.github.com) and the token pool
/// (`GITHUB_TOKEN` and `GITHUB_TOKENS`; none means unauthenticated requests).
public struct GitHubConfiguration: Sendable {
    public var baseURL: URL
    /// Every token wsync may use, in the order given; the engine picks among them by recorded budget.
    public var tokens: [GitHubToken]
    public var userAgent: String
    /// The longest silence within one request (no byte for this long: a hung socket, a stalled body). Whole seconds:
    /// the Linux HTTP stack truncates fractions (0.5 s would time out at once).
    public var requestTimeout: TimeInterval
    /// The longest one whole request may take, however the bytes trickle in: 4 × `requestTimeout` unless given.
    public var requestDeadline: TimeInterval

    public init(
        baseURL: URL, token: String? = nil, tokens: [GitHubToken] = [], userAgent: String = "wsync/\(WSyncVersion.current)",
        requestTimeout: TimeInterval = 30, requestDeadline: TimeInterval? = nil
    ) {
        self.baseURL = baseURL
        var pool = token.map { [GitHubToken(secret: $0)] } ?? []
        for candidate in tokens where !pool.contains(where: { $0.secret == candidate.secret }) { pool.append(candidate) }
        self.tokens = pool
        self.userAgent = userAgent
        self.requestTimeout = max(1, requestTimeout.rounded(.up))
        self.requestDeadline = max(self.requestTimeout, requestDeadline ?? 4 * self.requestTimeout)
    }

    /// The same with another idle timeout (whole seconds) and the deadline that goes with it.
    public func withRequestTimeout(_ seconds: TimeInterval) -> GitHubConfiguration {
        var copy = self
        copy.requestTimeout = max(1, seconds.rounded(.up))
        copy.requestDeadline = 4 * copy.requestTimeout
        return copy
    }

    public static let defaultAPIURL = "https://api.github.com"

    /// Said once by every command that talks to GitHub without a token.
    public static let unauthenticatedWarning = """
        warning: neither GITHUB_TOKEN nor GITHUB_TOKENS is set: GitHub allows 60 unauthenticated requests an hour \
        and charges even a 304; set GITHUB_TOKEN (or a pool in GITHUB_TOKENS)
        """

    /// What the operator should hear before any request (today: that there is no token).
    public var warnings: [String] { tokens.isEmpty ? [Self.unauthenticatedWarning] : [] }

    /// Reads `GITHUB_API_URL`, `GITHUB_TOKEN` and `GITHUB_TOKENS` (comma-separated, or `@FILE`); an unusable value is a
    /// one-line error naming the variable.
    public static func fromEnvironment(
        _ environment: [String: String] = ProcessInfo.processInfo.environment,
        readFile: (String) throws -> String = { try String(contentsOfFile: $0, encoding: .utf8) }
    ) throws -> GitHubConfiguration {
        let text = environment["GITHUB_API_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? defaultAPIURL
        guard let url = URL(string: text), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
            throw ConfigurationError("GITHUB_API_URL is not an http(s) URL; set it to e.g. \(defaultAPIURL)")
        }
        let token = try environment["GITHUB_TOKEN"].flatMap { try GitHubToken.validated($0, from: "GITHUB_TOKEN") }
        let listed = try environment["GITHUB_TOKENS"].map { try GitHubToken.pool(from: $0, readFile: readFile) } ?? []
        let pool = try listed.enumerated().compactMap { index, entry in
            try GitHubToken.validated(entry.secret, from: "GITHUB_TOKENS entry \(index + 1)").map { GitHubToken(secret: $0, label: entry.label) }
        }
        if let given = environment["GITHUB_TOKENS"], !given.isEmpty, pool.isEmpty {
            throw ConfigurationError("GITHUB_TOKENS holds no token; list them comma-separated or as @FILE with one per line")
        }
        return GitHubConfiguration(baseURL: url, token: token, tokens: pool)
    }

    /// `base + path`, keeping a base path such as GitHub Enterprise's `/api/v3`.
    func url(_ path: String, query: [URLQueryItem] = []) -> URL {
        var base = baseURL.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        var components = URLComponents(string: base + path)!
        if !query.isEmpty { components.queryItems = query }
        return components.url!
    }
}

/// A configuration problem, told in one line.
public struct ConfigurationError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
