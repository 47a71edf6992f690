import Foundation

/// GitHub's JSON shapes. Absent values are written as `null` (never omitted), as GitHub does.
enum WireFormat {
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    static func issues(_ items: [SimulatedIssue], repository: SimulatedRepository, baseURL: String, legacyPullRequestStubs: Bool) -> Data {
        let payload = items.map { IssueJSON(item: $0, repository: repository, baseURL: baseURL, legacyPullRequestStub: legacyPullRequestStubs) }
        return (try? encoder().encode(payload)) ?? Data("[]".utf8)
    }

    static func repository(_ repository: SimulatedRepository, baseURL: String) -> Data {
        let json = RepositoryJSON(repository: repository, baseURL: baseURL)
        return (try? encoder().encode(json)) ?? Data()
    }

    /// `{"message", "documentation_url", ["errors"], "status"}` as GitHub sends for errors.
    static func error(_ message: String, documentation: String, status: Int, errors: [[String: String]]? = nil) -> Data {
        let json = ErrorJSON(
            message: message,
            documentation_url: "https://docs.github.com/rest/\(documentation)",
            errors: errors,
            status: String(status)
        )
        return (try? encoder().encode(json)) ?? Data()
    }
}

private struct ErrorJSON: Encodable {
    let message: String
    let documentation_url: String
    let errors: [[String: String]]?
    let status: String

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(message, forKey: .message)
        try c.encode(documentation_url, forKey: .documentation_url)
        try c.encodeIfPresent(errors, forKey: .errors)
        try c.encode(status, forKey: .status)
    }

    enum CodingKeys: String, CodingKey { case message, documentation_url, errors, status }
}

private struct UserJSON: Encodable {
    let user: SimulatedUser
    let baseURL: String

    enum CodingKeys: String, CodingKey {
        case login, id, node_id, avatar_url, gravatar_id, url, html_url, followers_url, following_url, gists_url,
             starred_url, subscriptions_url, organizations_url, repos_url, events_url, received_events_url, type,
             site_admin
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        let api = "\(baseURL)/users/\(user.login)"
        try c.encode(user.login, forKey: .login)
        try c.encode(user.id, forKey: .id)
        try c.encode("U_\(user.id)", forKey: .node_id)
        try c.encode("https://avatars.githubusercontent.com/u/\(user.id)?v=4", forKey: .avatar_url)
        try c.encode("", forKey: .gravatar_id)
        try c.encode(api, forKey: .url)
        try c.encode("https://github.com/\(user.login)", forKey: .html_url)
        try c.encode("\(api)/followers", forKey: .followers_url)
        try c.encode("\(api)/following{/other_user}", forKey: .following_url)
        try c.encode("\(api)/gists{/gist_id}", forKey: .gists_url)
        try c.encode("\(api)/starred{/owner}{/repo}", forKey: .starred_url)
        try c.encode("\(api)/subscriptions", forKey: .subscriptions_url)
        try c.encode("\(api)/orgs", forKey: .organizations_url)
        try c.encode("\(api)/repos", forKey: .repos_url)
        try c.encode("\(api)/events{/privacy}", forKey: .events_url)
        try c.encode("\(api)/received_events", forKey: .received_events_url)
        try c.encode(user.isBot ? "Bot" : "User", forKey: .type)
        try c.encode(false, forKey: .site_admin)
    }
}

private struct LabelJSON: Encodable {
    let label: SimulatedLabel
    let repositoryURL: String
    enum CodingKeys: String, CodingKey { case id, node_id, url, name, color, description, `default` }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(label.id, forKey: .id)
        try c.encode("LA_\(label.id)", forKey: .node_id)
        let name = label.name.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? label.name
        try c.encode("\(repositoryURL)/labels/\(name)", forKey: .url)
        try c.encode(label.name, forKey: .name)
        try c.encode(label.color, forKey: .color)
        try c.encode(label.description, forKey: .description)
        try c.encode(false, forKey: .default)
    }
}

private struct MilestoneJSON: Encodable {
    let milestone: SimulatedMilestone
    let repository: SimulatedRepository
    let repositoryURL: String

    enum CodingKeys: String, CodingKey {
        case url, html_url, labels_url, id, node_id, number, state, title, description, creator, open_issues,
             closed_issues, created_at, updated_at, closed_at, due_on
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        let url = "\(repositoryURL)/milestones/\(milestone.number)"
        try c.encode(url, forKey: .url)
        try c.encode("https://github.com/\(repository.fullName)/milestone/\(milestone.number)", forKey: .html_url)
        try c.encode("\(url)/labels", forKey: .labels_url)
        try c.encode(milestone.id, forKey: .id)
        try c.encode("MI_\(milestone.id)", forKey: .node_id)
        try c.encode(milestone.number, forKey: .number)
        try c.encode(milestone.state, forKey: .state)
        try c.encode(milestone.title, forKey: .title)
        try c.encode(milestone.description, forKey: .description)
        // A milestone's creator may be a deleted account; the simulator says so with a real null.
        try c.encodeNil(forKey: .creator)
        let members = repository.items.filter { $0.milestone?.id == milestone.id }
        try c.encode(members.filter { $0.state == .open }.count, forKey: .open_issues)
        try c.encode(members.filter { $0.state == .closed }.count, forKey: .closed_issues)
        try c.encode(milestone.createdAt, forKey: .created_at)
        try c.encode(milestone.createdAt, forKey: .updated_at)
        try c.encodeNil(forKey: .closed_at)
        try c.encode(milestone.dueOn, forKey: .due_on)
    }
}

private struct IssueJSON: Encodable {
    let item: SimulatedIssue
    let repository: SimulatedRepository
    let baseURL: String
    /// On a plain issue: GitHub's 2012 `pull_request` object with null URLs (and no `url` key).
    let legacyPullRequestStub: Bool

    enum CodingKeys: String, CodingKey {
        case url, repository_url, labels_url, comments_url, events_url, html_url, id, node_id, number, title, user,
             labels, state, locked, assignee, assignees, milestone, comments, created_at, updated_at, closed_at,
             author_association, active_lock_reason, state_reason, body, timeline_url, performed_via_github_app,
             pull_request
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        let repoURL = "\(baseURL)/repos/\(repository.fullName)"
        let url = "\(repoURL)/issues/\(item.number)"
        try c.encode(url, forKey: .url)
        try c.encode(repoURL, forKey: .repository_url)
        try c.encode("\(url)/labels{/name}", forKey: .labels_url)
        try c.encode("\(url)/comments", forKey: .comments_url)
        try c.encode("\(url)/events", forKey: .events_url)
        let kind = item.isPullRequest ? "pull" : "issues"
        try c.encode("https://github.com/\(repository.fullName)/\(kind)/\(item.number)", forKey: .html_url)
        try c.encode(item.id, forKey: .id)
        try c.encode("I_\(item.id)", forKey: .node_id)
        try c.encode(item.number, forKey: .number)
        try c.encode(item.title, forKey: .title)
        try c.encode(item.user.map { UserJSON(user: $0, baseURL: baseURL) }, forKey: .user)
        try c.encode(item.labels.map { LabelJSON(label: $0, repositoryURL: repoURL) }, forKey: .labels)
        try c.encode(item.state.rawValue, forKey: .state)
        try c.encode(item.locked, forKey: .locked)
        try c.encode(item.assignees.first.map { UserJSON(user: $0, baseURL: baseURL) }, forKey: .assignee)
        try c.encode(item.assignees.map { UserJSON(user: $0, baseURL: baseURL) }, forKey: .assignees)
        try c.encode(item.milestone.map { MilestoneJSON(milestone: $0, repository: repository, repositoryURL: repoURL) }, forKey: .milestone)
        try c.encode(item.comments, forKey: .comments)
        try c.encode(item.createdAt, forKey: .created_at)
        try c.encode(item.updatedAt, forKey: .updated_at)
        try c.encode(item.closedAt, forKey: .closed_at)
        try c.encode("CONTRIBUTOR", forKey: .author_association)
        try c.encodeNil(forKey: .active_lock_reason)
        try c.encode(item.stateReason, forKey: .state_reason)
        try c.encode(item.body, forKey: .body)
        try c.encode("\(url)/timeline", forKey: .timeline_url)
        try c.encodeNil(forKey: .performed_via_github_app)
        if item.isPullRequest {
            try c.encode(PullRequestJSON(repositoryURL: repoURL, fullName: repository.fullName, number: item.number), forKey: .pull_request)
        } else if legacyPullRequestStub {
            try c.encode(["html_url": String?.none, "diff_url": nil, "patch_url": nil], forKey: .pull_request)
        }
    }
}

/// The `pull_request` object that marks an item of an issue list as a pull request.
private struct PullRequestJSON: Encodable {
    let repositoryURL: String
    let fullName: String
    let number: Int

    enum CodingKeys: String, CodingKey { case url, html_url, diff_url, patch_url, merged_at }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        let html = "https://github.com/\(fullName)/pull/\(number)"
        try c.encode("\(repositoryURL)/pulls/\(number)", forKey: .url)
        try c.encode(html, forKey: .html_url)
        try c.encode("\(html).diff", forKey: .diff_url)
        try c.encode("\(html).patch", forKey: .patch_url)
        try c.encodeNil(forKey: .merged_at)
    }
}

private struct RepositoryJSON: Encodable {
    let repository: SimulatedRepository
    let baseURL: String

    enum CodingKeys: String, CodingKey { case id, node_id, name, full_name, owner, `private`, url, has_issues }
    enum OwnerKeys: String, CodingKey { case login, id, type }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(repository.id, forKey: .id)
        try c.encode("R_\(repository.id)", forKey: .node_id)
        try c.encode(repository.name, forKey: .name)
        try c.encode(repository.fullName, forKey: .full_name)
        var owner = c.nestedContainer(keyedBy: OwnerKeys.self, forKey: .owner)
        try owner.encode(repository.owner, forKey: .login)
        try owner.encode(repository.id + 7_000_000, forKey: .id)
        try owner.encode("Organization", forKey: .type)
        try c.encode(false, forKey: .private)
        try c.encode("\(baseURL)/repos/\(repository.fullName)", forKey: .url)
        try c.encode(true, forKey: .has_issues)
    }
}
