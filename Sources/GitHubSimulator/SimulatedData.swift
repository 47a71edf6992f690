import Foundation

/// A GitHub account as the simulator serves it (issue authors and assignees).
public struct SimulatedUser: Sendable, Hashable {
    public var id: Int64
    public var login: String
    public var isBot: Bool

    public init(id: Int64, login: String, isBot: Bool = false) {
        self.id = id
        self.login = login
        self.isBot = isBot
    }
}

public struct SimulatedLabel: Sendable, Hashable {
    public var id: Int64
    public var name: String
    public var color: String
    public var description: String?

    public init(id: Int64, name: String, color: String, description: String? = nil) {
        self.id = id
        self.name = name
        self.color = color
        self.description = description
    }
}

public struct SimulatedMilestone: Sendable, Hashable {
    public var id: Int64
    public var number: Int
    public var title: String
    public var state: String
    public var description: String?
    public var createdAt: Date
    public var dueOn: Date?

    public init(id: Int64, number: Int, title: String, state: String = "open", description: String? = nil, createdAt: Date,
                dueOn: Date? = nil) {
        self.id = id
        self.number = number
        self.title = title
        self.state = state
        self.description = description
        self.createdAt = createdAt
        self.dueOn = dueOn
    }
}

/// One item of a repository's issue list. Issues and pull requests share one number sequence, as on GitHub.
public struct SimulatedIssue: Sendable, Hashable {
    public enum State: String, Sendable { case open, closed }

    public var id: Int64
    public var number: Int
    public var title: String
    public var body: String?
    public var state: State
    /// completed | reopened | not_planned | duplicate, or nil.
    public var stateReason: String?
    public var user: SimulatedUser?
    public var labels: [SimulatedLabel]
    public var assignees: [SimulatedUser]
    public var milestone: SimulatedMilestone?
    public var comments: Int
    public var createdAt: Date
    public var updatedAt: Date
    public var closedAt: Date?
    public var locked: Bool
    public var isPullRequest: Bool

    public init(
        id: Int64, number: Int, title: String, body: String?, state: State = .open, stateReason: String? = nil,
        user: SimulatedUser?, labels: [SimulatedLabel] = [], assignees: [SimulatedUser] = [],
        milestone: SimulatedMilestone? = nil, comments: Int = 0, createdAt: Date, updatedAt: Date,
        closedAt: Date? = nil, locked: Bool = false, isPullRequest: Bool = false
    ) {
        self.id = id
        self.number = number
        self.title = title
        self.body = body
        self.state = state
        self.stateReason = stateReason
        self.user = user
        self.labels = labels
        self.assignees = assignees
        self.milestone = milestone
        self.comments = comments
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.closedAt = closedAt
        self.locked = locked
        self.isPullRequest = isPullRequest
    }

    /// Closes the item the way GitHub does: state, reason and `closed_at` together.
    public mutating func close(reason: String = "completed", at date: Date) {
        state = .closed
        stateReason = reason
        closedAt = date
    }

    public mutating func reopen() {
        state = .open
        stateReason = "reopened"
        closedAt = nil
    }
}

/// A repository the simulator serves, identified by its numeric id (which survives renames).
public struct SimulatedRepository: Sendable {
    public let id: Int64
    public internal(set) var fullName: String
    public internal(set) var items: [SimulatedIssue]

    public var owner: String { String(fullName.split(separator: "/", maxSplits: 1)[0]) }
    public var name: String { String(fullName.split(separator: "/", maxSplits: 1)[1]) }
    /// The items a sync must store: everything that is not a pull request.
    public var issues: [SimulatedIssue] { items.filter { !$0.isPullRequest } }
}
