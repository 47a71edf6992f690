import Foundation
import GitHubSimulator
import Postgres
import TestSupport
import Testing
@testable import SyncEngine

/// Past one token: budgets per fingerprint in the database, the token with the most left, a refused token set aside.
@Suite struct TokenPoolTests {
    @Test func twoTokensOutlastOne() async throws {
        let fixture = try await SyncFixture.make(.init(tokens: ["alpha", "beta"], rateLimit: .init(limit: 3)))
        defer { Task { [simulator = fixture.simulator] in await simulator.stop() } }
        // 350 issues: four pages and one request from the new mark, more than one token's 3 requests.
        let job = try await fixture.track("acme/large", issueCount: 350, pullRequestEvery: 0)
        let alone = try await fixture.sync(job: job, github: fixture.github(tokens: ["alpha"]))
        #expect(alone.status == "partial" && alone.error?.contains("every token is spent") == true)
        #expect(try fixture.storedIssues("acme/large").count == 300)

        try fixture.connection.execute("UPDATE workspace_tracked_repositories SET issues_since = NULL, issues_etag = NULL WHERE id = \(job)")
        await fixture.simulator.resetRateLimit()
        try fixture.connection.execute("DELETE FROM wsync.rate_limit_observations")
        await fixture.simulator.clearRequests()
        let pooled = try await fixture.sync(job: job, github: fixture.github(tokens: ["alpha", "beta"]))
        #expect(pooled.status == "success")
        #expect(try fixture.storedIssues("acme/large").count == 350)
        let senders = Set(await fixture.simulator.requests().compactMap(\.authorization))
        #expect(senders == ["Bearer alpha", "Bearer beta"])

        let recorded = try fixture.connection.query("""
            SELECT DISTINCT token_fingerprint FROM wsync.rate_limit_observations ORDER BY 1
            """).map { try $0.decode("token_fingerprint", as: String.self) }
        #expect(recorded == [GitHubToken(secret: "alpha"), GitHubToken(secret: "beta")].map(\.fingerprint).sorted())
        let leaked: Int = try fixture.connection.query("""
            SELECT (SELECT count(*) FROM wsync.rate_limit_observations o WHERE o::text LIKE '%alpha%' OR o::text LIKE '%beta%')
                 + (SELECT count(*) FROM wsync.github_tokens t WHERE t::text LIKE '%alpha%' OR t::text LIKE '%beta%') AS n
            """)[0].decode("n")
        #expect(leaked == 0, "budgets are recorded under fingerprints, never the token")
    }

    @Test func aRefusedTokenIsSetAsideAndTheOthersGoOn() async throws {
        let fixture = try await SyncFixture.make(.init(tokens: ["good"]))
        defer { Task { [simulator = fixture.simulator] in await simulator.stop() } }
        let first = try await fixture.track("acme/one", issueCount: 10)
        let second = try await fixture.track("acme/two", issueCount: 10)
        let lines = LineRecorder()
        let pool = GitHubConfiguration(
            baseURL: fixture.simulator.baseURL, tokens: [GitHubToken(secret: "revoked", label: "old-ci"), GitHubToken(secret: "good")]
        )
        // The revoked token has more left on record, so it is tried first.
        try fixture.connection.execute("""
            INSERT INTO wsync.rate_limit_observations (limit_total, remaining, used, reset_at, token_fingerprint)
            VALUES (5000, 4900, 100, now() + interval '30 minutes', \(GitHubToken(secret: "revoked").fingerprint)),
                   (5000, 10, 4990, now() + interval '30 minutes', \(GitHubToken(secret: "good").fingerprint))
            """)
        let result = try await fixture.sync(SyncSelection(jobIDs: [first]), options: SyncNowOptions(concurrency: 1),
                                            github: pool, log: { lines.add($0) })
        #expect(result.success && result.results.first?.status == "success")
        #expect(lines.all.count == 1 && lines.all[0].contains("old-ci") && !lines.all[0].contains("revoked"))
        let aside: String? = try fixture.connection.query("""
            SELECT set_aside_reason FROM wsync.github_tokens WHERE fingerprint = \(GitHubToken(secret: "revoked").fingerprint)
            """).first?.decode("set_aside_reason")
        #expect(aside?.contains("401") == true)

        await fixture.simulator.clearRequests()
        _ = try await fixture.sync(job: second, github: pool)
        #expect(await fixture.simulator.requests().allSatisfy { $0.authorization == "Bearer good" }, "the refused token is not tried again")

        let gauge = try RateLimitGauge.fetch(fixture.connection)
        let standing = try #require(gauge.tokens.first { $0.label == "old-ci" })
        #expect(standing.setAsideAt != nil)
        #expect(gauge.remaining == gauge.tokens.first { $0.setAsideAt == nil }?.remaining, "a set-aside token is not in the pool total")
    }

    @Test func aWorkerGoesOnWithoutARefusedTokenAndStopsOnlyWhenNoneIsLeft() async throws {
        let fixture = try await SyncFixture.make(.init(tokens: ["good"]))
        defer { Task { [simulator = fixture.simulator] in await simulator.stop() } }
        for n in 0..<3 { try await fixture.track("acme/repo-\(n)", issueCount: 5) }
        let lines = LineRecorder()
        func worker(_ tokens: [String]) -> SyncWorker {
            SyncWorker(database: fixture.database.configuration, github: fixture.github(tokens: tokens),
                       options: WorkerOptions(concurrency: 2, once: true, rateLimitReserve: 0), retry: SyncFixture.noWaiting,
                       log: { lines.add($0) })
        }
        let summary = try await worker(["revoked", "good"]).run()
        #expect(summary.runs == 3 && summary.succeeded == 3)
        #expect(lines.all.filter { $0.contains("GitHub refused") }.count == 1, "said once, however many slots met it")

        await #expect(throws: GitHubError.self) { _ = try await worker(["revoked"]).run() }
    }

    @Test func theTokenWithTheMostLeftIsChosenAndThePoolIsSpentOnlyWhenEveryTokenIs() {
        let now = Date()
        let (a, b) = (GitHubToken(secret: "a"), GitHubToken(secret: "b"))
        func standing(_ token: GitHubToken, _ remaining: Int?, setAside: Bool = false, cooling: Date? = nil) -> TokenBudgets.Standing {
            .init(token: token, remaining: remaining, resetAt: now.addingTimeInterval(600), setAside: setAside, coolingUntil: cooling)
        }
        #expect(TokenBudgets.choose([standing(a, 10), standing(b, 4000)], preferred: nil, reserve: 100) == .use(b))
        #expect(TokenBudgets.choose([standing(a, 200), standing(b, 4000)], preferred: a.fingerprint, reserve: 100) == .use(a),
                "the token of the job's ETag while it has budget, so the 304 stays free")
        #expect(TokenBudgets.choose([standing(a, 50), standing(b, 4000)], preferred: a.fingerprint, reserve: 100) == .use(b))
        #expect(TokenBudgets.choose([standing(a, nil), standing(b, 4000)], preferred: nil, reserve: 100) == .use(a), "unknown counts as full")
        #expect(TokenBudgets.choose([standing(a, 10), standing(b, 4000, cooling: now.addingTimeInterval(60))], preferred: nil, reserve: 0) == .use(a))
        #expect(TokenBudgets.choose([standing(a, 0), standing(b, 5)], preferred: nil, reserve: 5, now: now) == .exhausted(until: now.addingTimeInterval(600)))
        #expect(TokenBudgets.choose([standing(a, 900, setAside: true), standing(b, 900, setAside: true)], preferred: nil, reserve: 0) == .allRefused)
    }

    @Test func theGaugeShowsEachTokenThePoolTotalAndTheNextReset() throws {
        let database = try TestDatabase.create()
        let connection = try database.connect()
        let (a, b) = (GitHubToken(secret: "a", label: "ci"), GitHubToken(secret: "b"))
        try TokenBudgets.register(connection, pool: [a, b])
        try connection.execute("""
            INSERT INTO wsync.rate_limit_observations (observed_at, limit_total, remaining, used, reset_at, token_fingerprint)
            VALUES (now() - interval '10 minutes', 5000, 4500, 500, date_trunc('second', now()) + interval '20 minutes', \(a.fingerprint)),
                   (now(), 5000, 4300, 700, date_trunc('second', now()) + interval '20 minutes', \(a.fingerprint)),
                   (now(), 5000, 1000, 4000, date_trunc('second', now()) + interval '50 minutes', \(b.fingerprint))
            """)
        let gauge = try RateLimitGauge.fetch(connection)
        #expect(gauge.tokens.map(\.name) == ["ci", b.fingerprint])
        #expect(gauge.limit == 10_000 && gauge.remaining == 5300)
        #expect(gauge.resetAt == gauge.tokens.first { $0.label == "ci" }?.resetAt, "the next reset is the earliest")
        #expect(abs((gauge.burnPerMinute ?? 0) - 20) < 0.5, "200 calls in 10 minutes on ci, nothing measurable on the other")
    }

    @Test func githubTokensIsACommaListOrAFileAndNeverPrinted() throws {
        let listed = try GitHubConfiguration.fromEnvironment(["GITHUB_TOKEN": "one", "GITHUB_TOKENS": "one, ci=two ,three"])
        #expect(listed.tokens.map(\.secret) == ["one", "two", "three"])
        #expect(listed.tokens[1].label == "ci" && "\(listed.tokens[1])".contains("ci") && !"\(listed.tokens[1])".contains("two"))
        let filed = try GitHubConfiguration.fromEnvironment(["GITHUB_TOKENS": "@/pool"]) { path in
            #expect(path == "/pool")
            return "# the CI pool\nfour\n\nnightly=five\n"
        }
        #expect(filed.tokens.map(\.secret) == ["four", "five"])
        let missing = #expect(throws: ConfigurationError.self) {
            try GitHubConfiguration.fromEnvironment(["GITHUB_TOKENS": "@/nowhere"]) { _ in throw CocoaError(.fileNoSuchFile) }
        }
        #expect(missing?.description.contains("/nowhere") == true)
        #expect(GitHubToken(secret: "abc").fingerprint == "ba7816bf8f01", "SHA-256 of abc begins ba7816bf8f01")
    }
}

/// Lines a run logged, for assertions.
final class LineRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    var all: [String] { lock.withLock { lines } }
    func add(_ line: String) { lock.withLock { lines.append(line) } }
}
