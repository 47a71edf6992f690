import Foundation
import GitHubSimulator
import Postgres
import Testing
import TestSupport
@testable import SyncEngine

/// What production's shape has that wsync's own lacks: the username CHECK and key, the app's trigger that makes
/// jobs, tiers free/pro/team, Supabase's roles and default grants.
@Suite struct ProductionShapeTests {
    @Test(arguments: DatabaseShape.allCases) func botsAndReusedLoginsNeverFailAPage(shape: DatabaseShape) async throws {
        let fixture = try await SyncFixture.make(shape: shape)
        defer { Task { [simulator = fixture.simulator] in await simulator.stop() } }
        let job = try await fixture.track("acme/people", issueCount: 120, pullRequestEvery: 0)
        let items = await fixture.simulator.repository("acme/people")!.issues
        let human = try #require(items.compactMap(\.user).first { !$0.isBot })
        // A stale row holds the login under another account (renamed or deleted on GitHub, the login reused).
        try fixture.connection.execute("""
            INSERT INTO contributors (github_id, username) VALUES (5, \(human.login))
            """)
        let report = try await fixture.sync(job: job)
        #expect(report.status == "success")
        #expect(try fixture.storedIssues("acme/people").count == items.count)

        let holders = try fixture.connection.query("SELECT github_id, username FROM contributors WHERE github_id IN (5, \(human.id))")
            .reduce(into: [Int64: String]()) { $0[try $1.decode("github_id")] = try $1.decode("username") }
        #expect(holders == [human.id: human.login, 5: "renamed-5"])

        let bots = Set(items.compactMap(\.user).filter(\.isBot).map(\.id))
        #expect(!bots.isEmpty)
        let botIssues = items.filter { $0.user.map { bots.contains($0.id) } ?? false }.map(\.id)
        let linked: Int = try fixture.connection.query("""
            SELECT count(*)::int AS n FROM issues i JOIN contributors c ON c.id = i.author_id WHERE i.github_id = ANY(\(botIssues)::bigint[])
            """)[0].decode("n")
        let run = try fixture.connection.query("SELECT authors_skipped, issues_skipped FROM wsync.sync_runs WHERE job_id = \(job)")[0]
        if shape == .fresh {
            // wsync's own table takes any login.
            #expect(linked == botIssues.count)
            #expect(try run.decode("authors_skipped", as: Int.self) == 0)
        } else {
            // Production's CHECK refuses `name[bot]`: the issues are stored without their author, and counted.
            #expect(linked == 0)
            #expect(try run.decode("authors_skipped", as: Int.self) == bots.count)
        }
        #expect(try run.decode("issues_skipped", as: Int.self) == 0)
    }

    /// Authors recur on every page. One already stored as GitHub sends it keeps its row version (no update, so no
    /// trigger and no touched time), and its issues still name it; one whose login changed is updated.
    @Test(arguments: DatabaseShape.allCases) func unchangedAuthorsAreNotRewrittenYetStillNamed(shape: DatabaseShape) async throws {
        let fixture = try await SyncFixture.make(shape: shape)
        defer { Task { [simulator = fixture.simulator] in await simulator.stop() } }
        let repository = "acme/authors"
        let job = try await fixture.track(repository, issueCount: 40, pullRequestEvery: 0)
        #expect(try await fixture.sync(job: job).status == "success")
        let authors = { () throws -> [Int64: (version: String, username: String)] in
            try fixture.connection.query("SELECT github_id, xmin::text AS version, username FROM contributors")
                .reduce(into: [:]) { $0[try $1.decode("github_id")] = (try $1.decode("version"), try $1.decode("username")) }
        }
        let links = { () throws -> [Int64: Int64?] in
            try fixture.connection.query("""
                SELECT i.github_id, c.github_id AS author FROM issues i JOIN repositories r ON r.id = i.repository_id
                LEFT JOIN contributors c ON c.id = i.author_id WHERE r.full_name = \(repository)
                """).reduce(into: [:]) { $0[try $1.decode("github_id")] = try $1.decode("author", as: Int64?.self) }
        }
        let before = try authors()
        let linkedBefore = try links()

        // Every issue edited, so the next sync reads them all again; one author's login changed meanwhile.
        let items = await fixture.simulator.repository(repository)!.issues
        let renamed = try #require(items.compactMap(\.user).first { before[$0.id] != nil })
        for item in items {
            _ = try await fixture.simulator.editIssue(in: repository, number: item.number) { issue in
                issue.title += " (edited)"
                if issue.user?.id == renamed.id { issue.user?.login = renamed.login + "-new" }
            }
        }
        #expect(try await fixture.sync(job: job).status == "success")
        #expect(try fixture.storedIssues(repository).values.allSatisfy { $0.title.hasSuffix(" (edited)") })

        let after = try authors()
        #expect(after[renamed.id]?.username == renamed.login + "-new")
        #expect(after[renamed.id]?.version != before[renamed.id]?.version)
        let rewritten = before.keys.filter { $0 != renamed.id && after[$0]?.version != before[$0]?.version }
        #expect(before.count > 1 && rewritten.isEmpty, "unchanged authors rewritten: \(rewritten)")
        #expect(try links() == linkedBefore)
        #expect(linkedBefore.values.contains { $0 != nil })
    }

    /// Two workers meet a new author at once. The page statement that began before the other's insert committed
    /// cannot see that row (its snapshot is older), yet its issues must still name the author: a stored author is
    /// left alone only when this statement sees it, and one it cannot see is upserted and returned.
    @Test func anAuthorAnotherWorkerInsertedMeanwhileIsStillNamed() async throws {
        let fixture = try await SyncFixture.make()
        defer { Task { [simulator = fixture.simulator] in await simulator.stop() } }
        let repository = "acme/race"
        let jobID = try await fixture.track(repository, issueCount: 5, pullRequestEvery: 0)
        let github = GitHubClient(configuration: fixture.github)
        guard case .page(let page) = try await github.issuesPage(github.issuesURL(fullName: repository, since: nil),
                                                                 token: fixture.github.tokens.first) else {
            Issue.record("no page")
            return
        }
        let author = try #require(page.issues.compactMap(\.user).first)
        let job = try #require(try JobLeases.claim(fixture.connection, ids: [jobID], owner: "tests", settings: LeaseSettings()).first)

        // The other worker's transaction has inserted the author as GitHub sends it, and not committed yet.
        let other = try fixture.database.connect()
        try other.execute("BEGIN")
        try other.execute("""
            INSERT INTO contributors (github_id, username, avatar_url, is_bot)
            VALUES (\(author.id), \(author.login), \(author.avatarURL), \(author.isBot))
            """)
        let database = fixture.database
        let storing = Task.detached {
            try PageStore.store(page.issues, job: job, owner: "tests", highWater: nil, renamedTo: nil,
                                lease: LeaseSettings().lease, refused: RefusedAuthors(), connection: try database.connect())
        }
        // This worker's statement waits on the uncommitted row; then the other commits.
        var waiting = 0
        for _ in 0..<200 where waiting == 0 {
            waiting = try fixture.connection.query("""
                SELECT count(*)::int AS n FROM pg_stat_activity
                WHERE datname = current_database() AND backend_type = 'client backend' AND wait_event_type = 'Lock'
                """)[0].decode("n")
            if waiting == 0 { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(waiting == 1, "the page statement never waited on the other worker's row")
        try other.execute("COMMIT")
        #expect(try await storing.value.upserted == page.issues.count)

        let unnamed: Int = try fixture.connection.query("""
            SELECT count(*)::int AS n FROM issues i JOIN contributors c ON c.github_id = \(author.id)
            WHERE i.github_id = ANY(\(page.issues.filter { $0.user?.id == author.id }.map(\.id))::bigint[])
              AND i.author_id IS DISTINCT FROM c.id
            """)[0].decode("n")
        #expect(unnamed == 0, "issues left without the author another worker inserted meanwhile")
    }

    /// Production refuses bots' logins, and bots author issues in most repositories. A page with a refused author
    /// fails its one statement and goes the careful way: the lease fence, then the page in a savepoint (a
    /// subtransaction of its own). A later page with the same author, remembered, leaves it out at once and is stored
    /// by the one statement, fence and issues in one transaction.
    @Test func anAuthorRefusedOnceIsLeftOutOfLaterPagesAtOnce() async throws {
        let fixture = try await SyncFixture.make(shape: .production)
        defer { Task { [simulator = fixture.simulator] in await simulator.stop() } }
        let repository = "acme/bots"
        let jobID = try await fixture.track(repository, issueCount: 300, pullRequestEvery: 0)
        let github = GitHubClient(configuration: fixture.github)
        var pages: [IssuesPage] = []
        var next: URL? = github.issuesURL(fullName: repository, since: nil)
        while let url = next, case .page(let page) = try await github.issuesPage(url, token: fixture.github.tokens.first) {
            pages.append(page)
            next = page.next
        }
        let bots = { (page: IssuesPage) in Set(page.issues.compactMap(\.user).filter(\.isBot).map(\.id)) }
        try #require(pages.count == 3 && pages.allSatisfy { !bots($0).isEmpty })
        let c = fixture.connection
        let job = try #require(try JobLeases.claim(c, ids: [jobID], owner: "tests", settings: LeaseSettings()).first)
        /// Stores a page; says whether its issues were written by the transaction that fenced the lease (the one
        /// statement) rather than by a subtransaction after it (the careful way). Row versions say so, whatever
        /// else the cluster is doing.
        func store(_ page: IssuesPage, _ refused: RefusedAuthors) throws -> (stored: PageStore.Stored, oneStatement: Bool) {
            let stored = try PageStore.store(page.issues, job: job, owner: "tests", highWater: nil, renamedTo: nil,
                                             lease: LeaseSettings().lease, refused: refused, connection: c)
            let writers = try c.query("""
                SELECT DISTINCT xmin::text AS x FROM issues WHERE github_id = ANY(\(page.issues.map(\.id))::bigint[])
                UNION SELECT xmin::text FROM workspace_tracked_repositories WHERE id = \(job.id)
                """)
            return (stored, writers.count == 1)
        }

        let refused = RefusedAuthors()
        let first = try store(pages[0], refused)
        #expect(first.stored.skippedAuthors == bots(pages[0]).count && !first.oneStatement, "\(first)")
        let remembered = try store(pages[1], refused)
        #expect(remembered.stored.upserted == pages[1].issues.count)
        #expect(remembered.stored.skippedAuthors == bots(pages[1]).count)
        #expect(remembered.oneStatement, "the page went the careful way: \(remembered)")
        // Without the memory the same kind of page goes the careful way again.
        let forgotten = try store(pages[2], RefusedAuthors())
        #expect(forgotten.stored.upserted == pages[2].issues.count && !forgotten.oneStatement, "\(forgotten)")
        // Its issues are stored, without an author, as the careful way stores them.
        let unauthored: Int = try c.query("""
            SELECT count(*)::int AS n FROM issues WHERE author_id IS NULL AND github_id = ANY(\(pages[1].issues.filter { $0.user?.isBot == true }.map(\.id))::bigint[])
            """)[0].decode("n")
        #expect(unauthored == pages[1].issues.filter { $0.user?.isBot == true }.count && unauthored > 0)
    }

    @Test(arguments: DatabaseShape.allCases) func theCacheIsKeptPerHourOnTheRealKey(shape: DatabaseShape) async throws {
        let fixture = try await SyncFixture.make(shape: shape)
        defer { Task { [simulator = fixture.simulator] in await simulator.stop() } }
        let first = try await fixture.track("acme/one", issueCount: 30)
        let second = try await fixture.track("acme/two", issueCount: 30)
        _ = try await fixture.sync(job: first)
        _ = try await fixture.sync(job: second)
        let rows = try fixture.connection.query("""
            SELECT time_range, total_issues, period_end = date_trunc('hour', now()) AS this_hour
            FROM workspace_issues_cache WHERE workspace_id = \(fixture.workspaceID) ORDER BY time_range
            """)
        #expect(try rows.map { try $0.decode("time_range", as: String.self) } == ["24h", "30d", "7d", "90d"])
        #expect(try rows.allSatisfy { try $0.decode("this_hour", as: Bool.self) })
        let expected: Int = try fixture.connection.query("""
            SELECT count(*)::int AS n FROM issues i JOIN repositories r ON r.id = i.repository_id
            WHERE r.full_name IN ('acme/one', 'acme/two') AND i.updated_at >= now() - interval '30 days'
            """)[0].decode("n")
        #expect(try rows.first { try $0.decode("time_range", as: String.self) == "30d" }!.decode("total_issues", as: Int.self) == expected)
    }

    /// Each bookkeeping step after the pages, made to fail by a trigger: the run still ends.
    enum Step: String, CaseIterable, CustomStringConvertible {
        case runStart, jobRow, runRow, dailyMetrics, workspaceCache
        var description: String { rawValue }

        var failure: SQL {
            switch self {
            case .runStart: "CREATE TRIGGER fail BEFORE INSERT ON wsync.sync_runs FOR EACH ROW EXECUTE FUNCTION fail()"
            case .jobRow:
                """
                CREATE TRIGGER fail BEFORE UPDATE ON workspace_tracked_repositories
                FOR EACH ROW WHEN (NEW.last_sync_status = 'success') EXECUTE FUNCTION fail()
                """
            case .runRow:
                """
                CREATE TRIGGER fail BEFORE UPDATE ON wsync.sync_runs
                FOR EACH ROW WHEN (NEW.status = 'success') EXECUTE FUNCTION fail()
                """
            case .dailyMetrics: "CREATE TRIGGER fail BEFORE INSERT OR UPDATE ON daily_activity_metrics FOR EACH ROW EXECUTE FUNCTION fail()"
            case .workspaceCache: "CREATE TRIGGER fail BEFORE INSERT OR UPDATE ON workspace_issues_cache FOR EACH ROW EXECUTE FUNCTION fail()"
            }
        }
    }

    @Test(arguments: DatabaseShape.allCases, Step.allCases)
    func aRunNeverStrands(shape: DatabaseShape, step: Step) async throws {
        let fixture = try await SyncFixture.make(shape: shape)
        defer { Task { [simulator = fixture.simulator] in await simulator.stop() } }
        let job = try await fixture.track("acme/fragile", issueCount: 20)
        try fixture.connection.executeScript("""
            CREATE FUNCTION fail() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'injected failure'; END $$
            """)
        try fixture.connection.executeScript(step.failure)
        let report = try await fixture.sync(job: job)
        #expect(report.status == "failed")
        #expect(report.error?.contains("injected failure") == true, "\(report.error ?? "")")
        let state = try fixture.job(job)
        #expect(state.status == "failed" && state.attempts == 1 && state.leaseOwner == nil)
        #expect(state.error?.contains("injected failure") == true)
        #expect(state.nextSyncAt! > Date())
        let running: Int = try fixture.connection.query("SELECT count(*)::int AS n FROM wsync.sync_runs WHERE status = 'running'")[0].decode("n")
        #expect(running == 0)
        let recorded = try fixture.connection.query("SELECT status, error FROM wsync.sync_runs WHERE job_id = \(job)")
        #expect(recorded.count == (step == .runStart ? 0 : 1))
        if let run = recorded.first {
            #expect(try run.decode("status", as: String.self) == "failed")
        }
    }

    @Test(arguments: [DatabaseShape.production, .guideEra])
    func nothingOfWsyncsIsReachableThroughThePublicAPI(shape: DatabaseShape) throws {
        let connection = try TestDatabase.create(shape: shape).connect()
        let wsyncTables = try connection.query("""
            SELECT 'wsync.' || relname AS name FROM pg_class WHERE relnamespace = 'wsync'::regnamespace AND relkind = 'r'
            """).map { try $0.decode("name", as: String.self) }
        #expect(wsyncTables.count >= 6)
        for role in ["anon", "authenticated"] {
            for table in wsyncTables + ["daily_activity_metrics_archive"] {
                let access = try connection.query("""
                    SELECT has_table_privilege(\(role), \(table), 'SELECT') OR has_table_privilege(\(role), \(table), 'INSERT')
                           OR has_table_privilege(\(role), \(table), 'UPDATE') OR has_table_privilege(\(role), \(table), 'DELETE') AS any,
                           has_schema_privilege(\(role), 'wsync', 'USAGE') AS schema_usage
                    """)[0]
                #expect(try !access.decode("any", as: Bool.self), "\(role) on \(table)")
                #expect(try !access.decode("schema_usage", as: Bool.self))
            }
        }
        #expect(try connection.query("SELECT relrowsecurity FROM pg_class WHERE oid = 'daily_activity_metrics_archive'::regclass")[0]
            .decode("relrowsecurity", as: Bool.self))
        // What the issue saw: SET ROLE anon; UPDATE the pause switch. Now refused by PostgreSQL itself.
        try connection.execute("SET ROLE anon")
        let error = #expect(throws: PostgresError.self) { try connection.execute("UPDATE wsync.pause SET is_paused = true") }
        #expect(error?.sqlState == .insufficientPrivilege)
        try connection.execute("RESET ROLE")
    }

    @Test(arguments: [DatabaseShape.production, .guideEra])
    func linkCoexistsWithTheAppsTriggerAndAppliesTierDefaultsOnlyWhenAsked(shape: DatabaseShape) throws {
        let connection = try TestDatabase.create(shape: shape).connect()
        let operations = Operations(connection: connection, actor: "tester")
        let workspace = try SyncSeeding.workspace(connection, name: "Paid", tier: shape.topTier)
        let owner: UUID = try connection.query("SELECT owner_id FROM workspaces WHERE id = \(workspace)")[0].decode("owner_id")
        // The app adds two repositories: one already tracked (its trigger makes the job: 24 h, priority 50), one not
        // (only a notice), whose adder's account is then deleted (added_by NULL).
        _ = try SyncSeeding.track(connection, githubID: 11, fullName: "app/tracked", workspace: try SyncSeeding.workspace(connection))
        try SyncSeeding.actAsApp(connection, user: owner)
        try connection.execute("""
            WITH r AS (INSERT INTO repositories (github_id, full_name, owner, name) VALUES (12, 'app/untracked', 'app', 'untracked')
                       RETURNING id)
            INSERT INTO workspace_repositories (workspace_id, repository_id, added_by)
            SELECT \(workspace)::uuid, id, NULL::uuid FROM r
            UNION ALL SELECT \(workspace)::uuid, id, \(owner)::uuid FROM repositories WHERE full_name = 'app/tracked'
            """)
        let jobs = { () throws -> [String: (hours: Int?, priority: Int?, addedBy: UUID)] in
            try connection.query("""
                SELECT r.full_name, wtr.sync_frequency_hours, wtr.priority_score, wtr.added_by FROM workspace_tracked_repositories wtr
                JOIN tracked_repositories tr ON tr.id = wtr.tracked_repository_id JOIN repositories r ON r.id = tr.repository_id
                WHERE wtr.workspace_id = \(workspace)
                """).reduce(into: [:]) {
                $0[try $1.decode("full_name")] = (try $1.decode("sync_frequency_hours"), try $1.decode("priority_score"), try $1.decode("added_by"))
            }
        }
        #expect(try jobs().mapValues(\.hours) == ["app/tracked": 24])

        let linked = try operations.link()
        let defaults = Tier(rawValue: shape.topTier).defaults
        var after = try jobs()
        #expect(linked.affectedRows == 1 && !linked.undoable)
        #expect(after["app/tracked"]?.hours == 24 && after["app/tracked"]?.priority == 50)
        #expect(after["app/untracked"]?.hours == defaults.frequencyHours && after["app/untracked"]?.priority == defaults.priority)
        #expect(after["app/untracked"]?.addedBy == owner)
        #expect(try operations.link().affectedRows == 0)

        let applied = try operations.link(applyTierDefaults: true)
        after = try jobs()
        #expect(applied.undoable)
        #expect(after["app/tracked"]?.hours == defaults.frequencyHours && after["app/tracked"]?.priority == defaults.priority)
        #expect(try AuditLog.entries(connection, limit: 1)[0].action == AuditAction.link.rawValue)
        _ = try operations.undo(actionID: try #require(applied.actionId))
        #expect(try jobs()["app/tracked"]?.hours == 24 && jobs()["app/tracked"]?.priority == 50)
    }

    @Test(arguments: DatabaseShape.allCases) func tiersAreWhatTheDatabaseAllows(shape: DatabaseShape) throws {
        let connection = try TestDatabase.create(shape: shape).connect()
        let operations = Operations(connection: connection, actor: "tester")
        #expect(try Tier.existing(connection).map(\.rawValue) == shape.tiers)
        #expect(try Tier.validated(" \(shape.topTier.capitalized) ", on: connection).rawValue == shape.topTier)
        let refused = shape == .guideEra ? "team" : "private"
        let error = #expect(throws: WSyncError.self) { try Tier.validated(refused, on: connection) }
        #expect(error?.input == .tier && error?.cause.contains(shape.tiers.joined(separator: ", ")) == true)

        let workspace = try SyncSeeding.workspace(connection, tier: shape.topTier)
        _ = try SyncSeeding.track(connection, githubID: 21, fullName: "top/repo", workspace: workspace)
        #expect(try operations.setFrequency(tier: Tier(rawValue: shape.topTier), hours: 6).affectedRows == 1)
        #expect(try operations.pauseTier(Tier(rawValue: shape.topTier)).affectedRows == 1)
        #expect(try TierUsage.fetch(connection).first { $0.tier == shape.topTier }?.repositoriesTracked == 1)
    }

    @Test func anInstallWithTablesInPublicKeepsItsRowsInSchemaWsync() throws {
        let connection = try TestDatabase.create(migrated: false).connect()
        _ = try Migrator(connection: connection).migrate()
        try connection.execute("INSERT INTO wsync.audit_log (actor, action, summary) VALUES ('old', 'link', 'before the move')")
        // An install of before the move: wsync's tables in public as wsync_*.
        try connection.executeScript("""
            ALTER TABLE wsync.audit_log SET SCHEMA public; ALTER TABLE public.audit_log RENAME TO wsync_audit_log;
            ALTER TABLE wsync.schema_migrations SET SCHEMA public;
            ALTER TABLE public.schema_migrations RENAME TO wsync_schema_migrations;
            DELETE FROM public.wsync_schema_migrations WHERE version = 4;
            """)
        let outcome = try Migrator(connection: connection).migrate()
        #expect(outcome.applied == [4])
        #expect(try connection.query("SELECT summary FROM wsync.audit_log")[0].decode("summary", as: String.self) == "before the move")
        #expect(try connection.query("SELECT to_regclass('public.wsync_audit_log') IS NULL AS gone")[0].decode("gone", as: Bool.self))
    }
}
