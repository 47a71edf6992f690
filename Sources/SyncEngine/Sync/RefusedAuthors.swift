import Foundation

/// Authors the database refused (production's username CHECK takes no `[bot]` login), remembered for the rest of a
/// worker's or a manual sync's life. Bots author issues in most repositories: without this every page they appear
/// on would fail its one-statement upsert and go the careful way, an author at a time, page after page. An author
/// is remembered as GitHub sent it, so a renamed one is tried again.
public final class RefusedAuthors: @unchecked Sendable {
    private let lock = NSLock()
    private var refused: Set<GitHubUser> = []

    public init() {}

    /// The ids of this page's authors that were refused before.
    func known(among issues: [GitHubIssue]) -> [Int64] {
        lock.withLock { Set(issues.compactMap(\.user).filter { refused.contains($0) }.map(\.id)).sorted() }
    }

    func remember(_ authors: [GitHubUser]) {
        lock.withLock { refused.formUnion(authors) }
    }
}
