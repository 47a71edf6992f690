import Foundation

/// GitHub's JSON shapes. Absent values are written as `null` (never omitted), as GitHub does.
enum WireFormat {
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    static func issues(_ items: [SimulatedIssue], repository: SimulatedRepository, baseURL: String) -> Data {
        let payload = items.map { IssueJSON(item: $0, repository: repository, baseURL: baseURL) }
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

    enum CodingKeys: String, CodingKey { case login, id, node_id, avatar_url, url, html_url, type, site_admin }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(user.login, forKey: .login)
        try c.encode(user.id, forKey: .id)
        try c.encode("U_\(user.id)", forKey: .node_id)
        try c.encode("https://avatars.githubusercontent.com/u/\(user.id)?v=4", forKey: .avatar_url)
        try c.encode("\(baseURL)/users/\(user.login)", forKey: .url)
        try c.encode("https://github.com/\(user.login)", forKey: .html_url)
        try c.encode(user.isBot ? "Bot" : "User", forKey: .type)
        try c.encode(false, forKey: .site_admin)
    }
}

private struct LabelJSON: Encodable {
    let label: SimulatedLabel
    enum CodingKeys: String, CodingKey { case id, name, color, description, `default` }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(label.id, forKey: .id)
        try c.encode(label.name, forKey: .name)
        try c.encode(label.color, forKey: .color)
        try c.encode(label.description, forKey: .description)
        try c.encode(false, forKey: .default)
    }
}

private struct MilestoneJSON: Encodable {
    let milestone: SimulatedMilestone
    enum CodingKeys: String, CodingKey { case id, number, title, state }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(milestone.id, forKey: .id)
        try c.encode(milestone.number, forKey: .number)
        try c.encode(milestone.title, forKey: .title)
        try c.encode(milestone.state, forKey: .state)
    }
}

private struct IssueJSON: Encodable {
    let item: SimulatedIssue
    let repository: SimulatedRepository
    let baseURL: String

    enum CodingKeys: String, CodingKey {
        case url, repository_url, html_url, id, node_id, number, title, user, labels, state, locked, assignee,
             assignees, milestone, comments, created_at, updated_at, closed_at, author_association, state_reason,
             body, pull_request
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        let repoURL = "\(baseURL)/repos/\(repository.fullName)"
        try c.encode("\(repoURL)/issues/\(item.number)", forKey: .url)
        try c.encode(repoURL, forKey: .repository_url)
        let kind = item.isPullRequest ? "pull" : "issues"
        try c.encode("https://github.com/\(repository.fullName)/\(kind)/\(item.number)", forKey: .html_url)
        try c.encode(item.id, forKey: .id)
        try c.encode("I_\(item.id)", forKey: .node_id)
        try c.encode(item.number, forKey: .number)
        try c.encode(item.title, forKey: .title)
        try c.encode(item.user.map { UserJSON(user: $0, baseURL: baseURL) }, forKey: .user)
        try c.encode(item.labels.map(LabelJSON.init), forKey: .labels)
        try c.encode(item.state.rawValue, forKey: .state)
        try c.encode(item.locked, forKey: .locked)
        try c.encode(item.assignees.first.map { UserJSON(user: $0, baseURL: baseURL) }, forKey: .assignee)
        try c.encode(item.assignees.map { UserJSON(user: $0, baseURL: baseURL) }, forKey: .assignees)
        try c.encode(item.milestone.map(MilestoneJSON.init), forKey: .milestone)
        try c.encode(item.comments, forKey: .comments)
        try c.encode(item.createdAt, forKey: .created_at)
        try c.encode(item.updatedAt, forKey: .updated_at)
        try c.encode(item.closedAt, forKey: .closed_at)
        try c.encode("CONTRIBUTOR", forKey: .author_association)
        try c.encode(item.stateReason, forKey: .state_reason)
        try c.encode(item.body, forKey: .body)
        if item.isPullRequest {
            let pull = "\(repoURL)/pulls/\(item.number)"
            let html = "https://github.com/\(repository.fullName)/pull/\(item.number)"
            try c.encode(
                ["url": pull, "html_url": html, "diff_url": "\(html).diff", "patch_url": "\(html).patch"],
                forKey: .pull_request
            )
        }
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
