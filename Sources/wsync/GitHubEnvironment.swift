import Foundation
import SyncEngine

/// GITHUB_API_URL and the token pool (GITHUB_TOKEN, GITHUB_TOKENS), with configuration problems turned into one-line
/// errors (exit 2) and warnings (no token at all) written to stderr before anything is sent.
enum GitHubEnvironment {
    static func configuration() throws -> GitHubConfiguration {
        let configuration: GitHubConfiguration
        do {
            configuration = try GitHubConfiguration.fromEnvironment()
        } catch let error as ConfigurationError {
            throw WSyncError(error.description)
        }
        for warning in configuration.warnings { notice(warning) }
        return configuration
    }

    /// One line on stderr, prefixed like every wsync message.
    static func notice(_ line: String) {
        FileHandle.standardError.write(Data("wsync: \(Output.printable(line))\n".utf8))
    }
}
