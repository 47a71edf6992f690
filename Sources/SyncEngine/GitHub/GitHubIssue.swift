import Foundation

/// An issue author or assignee.
public struct GitHubUser: Sendable, Hashable, Codable {
    public var id: Int64
    public var login: String
    public var avatarURL: String?
    public var type: String?

    public var isBot: Bool { type == "Bot" }

    enum CodingKeys: String, CodingKey {
        case id, login, type
        case avatarURL = "avatar_url"
    }
}

/// One item of an issue list, with only what a sync stores; every string already made storable (no U+0000).
public struct GitHubIssue: Sendable, Equatable {
    public var id: Int64
    public var number: Int
    public var title: String
    public var body: String?
    public var state: String
    public var stateReason: String?
    public var user: GitHubUser?
    public var labels: JSONValue
    public var assignees: JSONValue
    public var milestone: JSONValue
    public var comments: Int
    public var createdAt: Date
    public var updatedAt: Date
    public var closedAt: Date?
    /// Items whose `pull_request` object has a non-null `url` are pull requests; a sync drops them. (Issues of 2012
    /// carried `"pull_request": {"html_url": null, …}` on plain issues: the key alone proves nothing.)
    public var isPullRequest: Bool
    /// U+0000 characters GitHub sent in this item's strings, each stored as U+FFFD (PostgreSQL cannot hold it);
    /// the run's record counts them.
    public var nulCharactersReplaced = 0
}

extension GitHubIssue: Decodable {
    enum CodingKeys: String, CodingKey {
        case id, number, title, body, state, user, labels, assignees, milestone, comments
        case stateReason = "state_reason", createdAt = "created_at", updatedAt = "updated_at"
        case closedAt = "closed_at", pullRequest = "pull_request"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(Int64.self, forKey: .id)
        number = try c.decode(Int.self, forKey: .number)
        var replaced = 0
        title = try c.decode(String.self, forKey: .title).storable(counting: &replaced)
        body = try c.decodeIfPresent(String.self, forKey: .body)?.storable(counting: &replaced)
        state = try c.decode(String.self, forKey: .state).storable(counting: &replaced)
        stateReason = try c.decodeIfPresent(String.self, forKey: .stateReason)?.storable(counting: &replaced)
        user = try c.decodeIfPresent(GitHubUser.self, forKey: .user).map {
            GitHubUser(id: $0.id, login: $0.login.storable(counting: &replaced), avatarURL: $0.avatarURL?.storable(counting: &replaced),
                       type: $0.type?.storable(counting: &replaced))
        }
        labels = (try c.decodeIfPresent(JSONValue.self, forKey: .labels) ?? .array([])).storable(counting: &replaced)
        assignees = (try c.decodeIfPresent(JSONValue.self, forKey: .assignees) ?? .array([])).storable(counting: &replaced)
        milestone = (try c.decodeIfPresent(JSONValue.self, forKey: .milestone) ?? .null).storable(counting: &replaced)
        nulCharactersReplaced = replaced
        comments = try c.decodeIfPresent(Int.self, forKey: .comments) ?? 0
        createdAt = try c.decode(Date.self, forKey: .createdAt)
        updatedAt = try c.decode(Date.self, forKey: .updatedAt)
        closedAt = try c.decodeIfPresent(Date.self, forKey: .closedAt)
        isPullRequest = (try? c.decodeIfPresent(PullRequestLink.self, forKey: .pullRequest))?.url != nil
    }
}

/// The one field of an item's `pull_request` object that tells a pull request from an issue.
private struct PullRequestLink: Decodable {
    let url: String?
}

extension JSONDecoder {
    /// GitHub's timestamps are `YYYY-MM-DDTHH:MM:SSZ`.
    static var gitHub: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
