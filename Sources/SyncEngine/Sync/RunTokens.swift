import Foundation

/// The token one run sends with: chosen from the pool by the budgets recorded in the database, and changed when
/// GitHub refuses it (401: set aside for every worker) or reports it spent (the next token takes over, until every
/// token is spent). A dry run, which writes nothing, keeps what it learns to itself.
struct RunTokens {
    let pool: [GitHubToken]
    let database: DatabaseQueue?
    let reserve: Int
    let log: @Sendable (String) -> Void
    private(set) var current: GitHubToken?
    private var spent: [String: Date] = [:]
    private var refusedHere: Set<String> = []

    init(pool: [GitHubToken], database: DatabaseQueue?, reserve: Int, log: @escaping @Sendable (String) -> Void) {
        self.pool = pool
        self.database = database
        self.reserve = reserve
        self.log = log
    }

    var currentFingerprint: String { current?.fingerprint ?? GitHubToken.anonymousFingerprint }

    /// Picks a token, preferring `preferred` (the fingerprint the job's ETag was made with).
    mutating func choose(preferred: String? = nil) async throws -> TokenChoice {
        let standings: [TokenBudgets.Standing]
        if let database {
            let pool = pool
            standings = try await database.run { try TokenBudgets.standings($0, pool: pool) }
        } else {
            let candidates: [GitHubToken?] = pool.isEmpty ? [nil] : pool
            standings = candidates.map {
                .init(token: $0, remaining: nil, resetAt: nil, setAside: refusedHere.contains($0?.fingerprint ?? ""), coolingUntil: nil)
            }
        }
        let choice = TokenBudgets.choose(standings, preferred: preferred, spent: spent, reserve: reserve)
        if case .use(let token) = choice { current = token }
        return choice
    }

    /// GitHub refused the current token: set it aside (for everyone) and pick another.
    mutating func refused(message: String) async throws -> TokenChoice {
        guard let token = current else { return .allRefused }
        refusedHere.insert(token.fingerprint)
        var news = true
        if let database {
            let reason = "GitHub answered 401 (\(message))"
            news = try await database.run { try TokenBudgets.setAside($0, token: token, reason: reason) }
        }
        let next = try await choose()
        // When no token is left, the run's ending says so; otherwise this is the operator's one line about it.
        if news, case .use = next { log("GitHub refused \(token) (\(message)); it is set aside and the pool goes on without it") }
        return next
    }

    /// The current token's budget is spent until `resetAt`: pick another.
    mutating func spent(until resetAt: Date) async throws -> TokenChoice {
        spent[currentFingerprint] = resetAt
        return try await choose()
    }

    /// A secondary limit outlasted the run's waits: nobody sends with this token before `until`.
    func coolDown(until: Date) async {
        guard let database else { return }
        let token = current
        _ = try? await database.run { try TokenBudgets.coolDown($0, token: token, until: until) }
    }
}
