import Foundation
import SyncEngine

/// GITHUB_TOKEN and GITHUB_API_URL, with configuration problems turned into one-line errors (exit 2).
enum GitHubEnvironment {
    static func configuration() throws -> GitHubConfiguration {
        do {
            return try GitHubConfiguration.fromEnvironment()
        } catch let error as ConfigurationError {
            throw WSyncError.failed(error.description)
        }
    }
}
