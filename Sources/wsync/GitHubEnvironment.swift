import Foundation
import SyncEngine

/// GITHUB_API_URL and the token pool (GITHUB_TOKEN, GITHUB_TOKENS), with configuration problems turned into one-line
/// errors (exit 2). Its warnings (no token at all) are said by whoever is about to ask GitHub, so a command that
/// fails before that still says one line.
enum GitHubEnvironment {
    static func configuration() throws -> GitHubConfiguration {
        do {
            return try GitHubConfiguration.fromEnvironment()
        } catch let error as ConfigurationError {
            throw WSyncError.failed(error.description)
        }
    }

    /// One line on stderr, prefixed like every wsync message.
    static func notice(_ line: String) {
        FileHandle.standardError.write(Data("wsync: \(SafeText.line(line))\n".utf8))
    }
}
