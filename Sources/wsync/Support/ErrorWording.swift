import SyncEngine

extension WSyncError {
    /// The command line's one line: the engine's cause, worded with the flag or the command that fixes it.
    var commandLineMessage: String {
        switch self {
        case .invalidInput(.selection, _, let rule):
            "the selection \(rule): --workspace ID [--repo OWNER/NAME], or --all-failed, not both"
        case .invalidInput(let input, let value, let rule):
            [Self.flag(input), value, rule].filter { !$0.isEmpty }.joined(separator: " ") + Self.fix(input)
        case .notFound(let text, let hint), .refused(let text, let hint), .conflict(let text, let hint):
            text + (hint.map(Self.fix) ?? "")
        case .paused(let text): "\(text); resume syncing first (wsync resume)"
        case .databaseNotMigrated(let text): "\(text); run wsync migrate first"
        case .gitHubAuthentication(let text), .gitHubRateLimit(let text), .gitHubUnavailable(let text), .failed(let text): text
        }
    }

    private static func flag(_ input: Input) -> String {
        switch input {
        case .actor: "--actor"
        case .confirmDatabase: "--confirm-database"
        case .days: "--days"
        case .factor: "--factor"
        case .hours: "--hours"
        case .limit: "--limit"
        case .maxFailed: "--max-failed"
        case .minAttempts: "--min-attempts"
        case .minHours: "--min-hours"
        case .minIssues: "--min-issues"
        case .minTotalIssues: "--min-total-issues"
        case .reason: "--reason"
        case .repository: "--repo"
        case .selection: "the selection"
        case .tier: "tier"
        case .workspace: "--workspace"
        case .workspaces: "--workspaces"
        }
    }

    private static func fix(_ input: Input) -> String {
        switch input {
        case .actor: "; pass --actor NAME"
        case .workspace: "; copy it from wsync failed --json (workspace_id)"
        case .repository: "; e.g. --repo octo-org/api"
        case .reason: "; pass --reason TEXT"
        default: ""
        }
    }

    private static func fix(_ hint: Hint) -> String {
        switch hint {
        case .seeAuditLog: "; see wsync audit"
        case .undoNewerFirst: " (if later actions did it, undo them first, newest first: see wsync audit)"
        case .link: "; run wsync link if it should"
        case .refresh: "; check --workspace and --repo, or refresh and retry"
        case .listWorkspaces: "; list them with wsync failed --json or wsync report tiers"
        }
    }
}
