import Foundation
import Postgres

/// Which sync jobs (rows of workspace_tracked_repositories) an operation acts on.
public enum JobSelector: Sendable, Equatable {
    /// One job by its id (the dashboard's selected row).
    case job(UUID)
    /// Several jobs by id (the dashboard's group of failed rows sharing one error).
    case jobs([UUID])
    /// The failed jobs of one workspace.
    case workspace(UUID)
    /// One workspace's job for one repository.
    case workspaceRepository(workspace: UUID, repository: String)
    /// Every failed job.
    case allFailed

    /// The CLI's `--workspace ID [--repo OWNER/NAME] | --all-failed`, checked for shape (not yet for existence).
    public init(workspace: String?, repository: String?, allFailed: Bool) throws {
        switch (workspace, repository, allFailed) {
        case (nil, nil, true):
            self = .allFailed
        case (.some, _, true):
            throw WSyncError.invalidInput(.selection, value: "", rule: "is either every failed sync or one workspace, not both")
        case (nil, .some, _):
            throw WSyncError.invalidInput(.repository, value: "", rule: "needs a workspace: a repository can be tracked by several workspaces")
        case (nil, nil, false):
            throw WSyncError.invalidInput(.selection, value: "", rule: "is empty: say which syncs")
        case (.some(let text), let repository, false):
            let id = try Self.workspaceID(text)
            if let repository {
                self = .workspaceRepository(workspace: id, repository: try Self.repositoryName(repository))
            } else {
                self = .workspace(id)
            }
        }
    }

    /// Parses a workspace id given by the user and checks that the workspace exists.
    public static func existingWorkspace(_ text: String, _ connection: Connection) throws -> UUID {
        let id = try workspaceID(text)
        try requireWorkspace(id, connection)
        return id
    }

    static func workspaceID(_ text: String) throws -> UUID {
        guard let id = UUID(uuidString: text.trimmingCharacters(in: .whitespaces)) else {
            throw WSyncError.invalidInput(.workspace, value: "\"\(text)\"", rule: "is not a UUID")
        }
        return id
    }

    static func repositoryName(_ text: String) throws -> String {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && !$0.contains(where: \.isWhitespace) }) else {
            throw WSyncError.invalidInput(.repository, value: "\"\(text)\"", rule: "is not OWNER/NAME")
        }
        return text
    }

    /// Checks that what the selector names exists (before asking for confirmation; the operation checks again).
    public func validate(_ connection: Connection) throws {
        _ = try resolvedCondition(connection)
    }

    /// Checks that what the selector names exists, then returns the condition on `wtr` it stands for.
    func resolvedCondition(_ connection: Connection) throws -> SQL {
        switch self {
        case .allFailed:
            return "wtr.last_sync_status = 'failed'"
        case .job(let id):
            guard try !connection.query("SELECT 1 FROM workspace_tracked_repositories WHERE id = \(id)").isEmpty else {
                throw WSyncError.notFound("no sync job has id \(id.uuidString.lowercased())", hint: .refresh)
            }
            return "wtr.id = \(id)"
        case .jobs(let ids):
            let known = try connection.query("SELECT count(*)::int AS n FROM workspace_tracked_repositories WHERE id = ANY(\(ids)::uuid[])")[0]
            guard !ids.isEmpty, try known.decode("n", as: Int.self) == Set(ids).count else {
                throw WSyncError.notFound("some of these sync jobs no longer exist", hint: .refresh)
            }
            return "wtr.id = ANY(\(ids)::uuid[])"
        case .workspace(let id):
            try Self.requireWorkspace(id, connection)
            return "wtr.workspace_id = \(id) AND wtr.last_sync_status = 'failed'"
        case .workspaceRepository(let workspace, let repository):
            try Self.requireWorkspace(workspace, connection)
            let rows = try connection.query("""
                SELECT r.id AS repository_id, wtr.id AS job_id
                FROM repositories r
                LEFT JOIN tracked_repositories tr ON tr.repository_id = r.id
                LEFT JOIN workspace_tracked_repositories wtr ON wtr.tracked_repository_id = tr.id AND wtr.workspace_id = \(workspace)
                WHERE lower(r.full_name) = lower(\(repository))
                """)
            guard let row = rows.first else {
                throw WSyncError.notFound("no repository named \(repository) is known; check the spelling")
            }
            guard let job = try row.decode("job_id", as: UUID?.self) else {
                throw WSyncError.notFound("workspace \(workspace.uuidString.lowercased()) does not track \(repository)", hint: .link)
            }
            return "wtr.id = \(job)"
        }
    }

    static func requireWorkspace(_ id: UUID, _ connection: Connection) throws {
        guard try !connection.query("SELECT 1 FROM workspaces WHERE id = \(id)").isEmpty else {
            throw WSyncError.notFound("no workspace has id \(id.uuidString.lowercased())", hint: .listWorkspaces)
        }
    }

    /// For the audit log's parameters.
    var parameters: [String: String] {
        switch self {
        case .allFailed: ["selector": "all-failed"]
        case .job(let id): ["job_id": id.uuidString.lowercased()]
        case .jobs(let ids): ["job_ids": ids.map { $0.uuidString.lowercased() }.joined(separator: ",")]
        case .workspace(let id): ["workspace_id": id.uuidString.lowercased()]
        case .workspaceRepository(let workspace, let repository):
            ["workspace_id": workspace.uuidString.lowercased(), "repository": repository]
        }
    }
}
