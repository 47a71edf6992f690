/// A problem the user can fix, as the engine sees it: bad input, a missing row, an action that cannot be done. The
/// engine names things in its own terms; each face words the error for its user — the CLI names its flags and
/// commands, the dashboard its keys — in one line that names the cause and the fix.
public enum WSyncError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A value outside what it may be: `rule` says what it must be ("must be at least 1").
    case invalidInput(Input, value: String, rule: String)
    /// Something the user named does not exist.
    case notFound(String, hint: Hint? = nil)
    /// The request cannot be done as asked.
    case refused(String, hint: Hint? = nil)
    /// The rows changed since (another operator, a sync): doing it now would be wrong.
    case conflict(String, hint: Hint? = nil)
    /// Syncing is paused (an emergency stop or a rollback), so nothing may sync; the text says by whom and why.
    case paused(String)
    /// The database lacks what `migrate` creates.
    case databaseNotMigrated(String)
    /// GitHub refused the token.
    case gitHubAuthentication(String)
    /// GitHub's rate limit stops the request.
    case gitHubRateLimit(String)
    /// GitHub could not be reached or answered with an error.
    case gitHubUnavailable(String)
    /// Something outside the engine failed (a file, a command).
    case failed(String)

    /// What the user gave, by the engine's name for it.
    public enum Input: String, Sendable, CaseIterable {
        case actor, confirmDatabase, days, factor, hours, limit, maxFailed, minAttempts, minHours, minIssues,
             minTotalIssues, reason, repository, selection, tier, workspace, workspaces
    }

    /// What would fix it, for the face to word.
    public enum Hint: Sendable, Equatable {
        /// The audit log lists the actions and their ids.
        case seeAuditLog
        /// The later actions that changed the rows come first, newest first.
        case undoNewerFirst
        /// The workspace does not track the repository: link it.
        case link
        /// The row may have gone: refresh and try again.
        case refresh
        /// Where workspace ids are listed.
        case listWorkspaces
    }

    /// The kind of problem, for code that decides by it (exit codes, tests).
    public enum Kind: Sendable, Equatable {
        case invalidInput, notFound, refused, conflict, paused, databaseNotMigrated, gitHubAuthentication,
             gitHubRateLimit, gitHubUnavailable, failed
    }

    public var kind: Kind {
        switch self {
        case .invalidInput: .invalidInput
        case .notFound: .notFound
        case .refused: .refused
        case .conflict: .conflict
        case .paused: .paused
        case .databaseNotMigrated: .databaseNotMigrated
        case .gitHubAuthentication: .gitHubAuthentication
        case .gitHubRateLimit: .gitHubRateLimit
        case .gitHubUnavailable: .gitHubUnavailable
        case .failed: .failed
        }
    }

    /// The input at fault, for invalid input.
    public var input: Input? {
        if case .invalidInput(let input, _, _) = self { return input }
        return nil
    }

    public var hint: Hint? {
        switch self {
        case .notFound(_, let hint), .refused(_, let hint), .conflict(_, let hint): hint
        default: nil
        }
    }

    /// The cause in the engine's words, without any face's flags or keys.
    public var cause: String {
        switch self {
        case .invalidInput(let input, let value, let rule): value.isEmpty ? "\(input.rawValue) \(rule)" : "\(input.rawValue) \(value) \(rule)"
        case .notFound(let text, _), .refused(let text, _), .conflict(let text, _): text
        case .paused(let text), .databaseNotMigrated(let text), .gitHubAuthentication(let text), .gitHubRateLimit(let text),
             .gitHubUnavailable(let text), .failed(let text): text
        }
    }

    public var description: String { cause }
}
