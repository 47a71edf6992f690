import Foundation

/// Where and how to reach GitHub: `GITHUB_API_URL` (default https://api.github.com) and `GITHUB_TOKEN`.
public struct GitHubConfiguration: Sendable {
    public var baseURL: URL
    public var token: String?
    public var userAgent: String
    /// Whole seconds: the Linux HTTP stack truncates fractions (0.5 s would time out at once).
    public var requestTimeout: TimeInterval

    public init(baseURL: URL, token: String?, userAgent: String = "wsync/\(WSyncVersion.current)", requestTimeout: TimeInterval = 30) {
        self.baseURL = baseURL
        self.token = token
        self.userAgent = userAgent
        self.requestTimeout = max(1, requestTimeout.rounded(.up))
    }

    public static let defaultAPIURL = "https://api.github.com"

    /// Reads `GITHUB_API_URL` and `GITHUB_TOKEN`; an unusable URL is a one-line error naming the variable.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> GitHubConfiguration {
        let text = environment["GITHUB_API_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? defaultAPIURL
        guard let url = URL(string: text), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
            throw ConfigurationError("GITHUB_API_URL is not an http(s) URL; set it to e.g. \(defaultAPIURL)")
        }
        let token = environment["GITHUB_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        return GitHubConfiguration(baseURL: url, token: token)
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
