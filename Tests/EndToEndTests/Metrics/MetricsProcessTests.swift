import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GitHubSimulator
import Postgres
import SyncEngine
import TestSupport
import Testing

/// `wsync metrics` as Prometheus meets it: the real binary serving /metrics, scraped over HTTP and read with a
/// strict parser, while a real worker syncs from the simulator.
@Suite struct MetricsProcessTests {
    /// A running `wsync metrics` and the URL it printed.
    struct Server {
        let process: WSyncProcess
        let url: URL

        static func start(_ arguments: [String] = [], databaseURL: String) async throws -> Server {
            let process = try WSyncProcess(["metrics", "--listen", "127.0.0.1:0"] + arguments, environment: ["DATABASE_URL": databaseURL])
            for _ in 0..<300 {
                if let line = process.stdout.split(separator: "\n").first, let found = line.split(separator: " ").dropFirst().first,
                   let url = URL(string: String(found)) {
                    return Server(process: process, url: url)
                }
                try await Task.sleep(for: .milliseconds(50))
            }
            throw Failed(what: "wsync metrics printed no URL: \(process.output)")
        }

        func scrape(path: String? = nil) async throws -> (status: Int, contentType: String?, body: String) {
            var url = url
            if let path { url = url.deletingLastPathComponent().appendingPathComponent(path) }
            let request = URLRequest(url: url, timeoutInterval: 60)
            let (data, response) = try await URLSession.shared.data(for: request)
            let http = try #require(response as? HTTPURLResponse)
            return (http.statusCode, http.value(forHTTPHeaderField: "Content-Type"), String(decoding: data, as: UTF8.self))
        }

        func families() async throws -> [PrometheusTextParser.Family] {
            let answer = try await scrape()
            #expect(answer.status == 200 && answer.contentType == "text/plain; version=0.0.4; charset=utf-8")
            return try PrometheusTextParser.parse(answer.body)
        }

        func stop() async {
            process.signal(SIGTERM)
            #expect(await process.exitStatus(timeout: 30) == 0, "\(process.output)")
        }
    }

    struct Failed: Error, CustomStringConvertible {
        let what: String
        var description: String { what }
    }

    @Test func aScrapeDuringASyncParsesStrictlyAndCountersOnlyGrow() async throws {
        let world = try await SimulatedWorld.make(repositories: 3, issues: 350, tier: "free")
        defer { Task { [simulator = world.simulator] in await simulator.stop() } }
        for index in 0..<3 { try await world.simulator.setScenario(.slow(delay: .milliseconds(300)), for: "e2e/repo-\(index)") }
        let (database, connection) = (world.database, world.connection)
        func running() throws -> Bool {
            try connection.query("SELECT count(*) > 0 AS busy FROM wsync.sync_runs WHERE status = 'running'")[0].decode("busy")
        }
        let server = try await Server.start(databaseURL: database.url)
        let before = try await server.families()
        #expect(before.value("wsync_up") == 1)
        #expect(before.value("wsync_jobs", ["state": "never_synced", "tier": "free"]) == 3)
        #expect(before.value("wsync_jobs_due") == 3)
        #expect(before.value("wsync_workers", ["state": "alive"]) == 0)

        let worker = try WSyncProcess(
            ["worker", "--once", "--concurrency", "2", "--rate-limit-reserve", "0"],
            environment: world.environment)
        var scrapes = [before]
        var sawMidSync = false
        while worker.isRunning {
            let busyBefore = try running()
            let families = try await server.families()
            // A run in progress before and after this scrape held its lease throughout it.
            if busyBefore, try running() {
                sawMidSync = true
                #expect((families.value("wsync_jobs_syncing") ?? 0) >= 1)
                #expect(families.value("wsync_workers", ["state": "alive"]) == 1)
                #expect((families.value("wsync_worker_busy_slots") ?? 0) >= 1)
            }
            scrapes.append(families)
        }
        #expect(await worker.exitStatus() == 0, "\(worker.output)")
        scrapes.append(try await server.families())
        #expect(sawMidSync, "no scrape fell inside a run")

        for (earlier, later) in zip(scrapes, scrapes.dropFirst()) {
            for (series, value) in earlier.growing {
                #expect((later.growing[series] ?? -1) >= value, "\(series) went from \(value) to \(later.growing[series] ?? -1)")
            }
        }
        let after = try #require(scrapes.last)
        #expect(after.value("wsync_sync_runs_total", ["status": "success"]) == 3)
        #expect(after.value("wsync_sync_run_duration_seconds_count") == 3)
        #expect(after.value("wsync_jobs", ["state": "success", "tier": "free"]) == 3)
        #expect(after.value("wsync_jobs_fresh_ratio") == 1)
        #expect(after.value("wsync_tier_workspaces", ["tier": "free"]) == 1)
        #expect(after.value("wsync_tier_repositories", ["tier": "free"]) == 3)
        let totals = try connection.query("SELECT sum(api_calls)::int AS calls, sum(issues_stored)::int AS stored FROM wsync.sync_runs")[0]
        #expect(after.value("wsync_github_requests_total") == Double(try totals.decode("calls", as: Int.self)))
        #expect(after.value("wsync_issues_stored_total") == Double(try totals.decode("stored", as: Int.self)))
        #expect(try connection.query("SELECT count(*)::int AS n FROM issues")[0].decode("n", as: Int.self) == 1050)
        let token = GitHubToken(secret: SimulatedWorld.token).fingerprint
        #expect(after.value("wsync_github_rate_limit_limit", ["token": token, "resource": "core"]) == 5000, "by fingerprint, never the token")
        #expect(!after.flatMap(\.samples).contains { $0.labels.values.contains(SimulatedWorld.token) })
        #expect(after.value("wsync_workers", ["state": "stopped"]) == 1)
        let names = Set(after.map(\.name))
        #expect(!names.contains { !$0.hasPrefix("wsync_") })
        #expect(!after.flatMap(\.samples).contains { $0.labels.values.contains { $0.contains("e2e/repo") } }, "no repository names")
        await server.stop()
    }

    @Test func aDatabaseThatGoesAwayAnswersUpZeroAndTheRestAbsent() async throws {
        let database = try await offPool { try TestDatabase.create() }
        let server = try await Server.start(databaseURL: database.url)
        #expect(try await server.families().value("wsync_up") == 1)
        try await offPool {
            let admin = try Connection(database.cluster.configuration())
            try admin.execute("DROP DATABASE \(identifier: SQLIdentifier(database.name)) WITH (FORCE)")
        }
        let down = try await server.families()
        #expect(down.value("wsync_up") == 0)
        #expect(down.map(\.name) == ["wsync_up", "wsync_build_info"])
        #expect(down.value("wsync_build_info", ["version": WSyncVersion.current]) == 1)
        await server.stop()

        let never = try await Server.start(databaseURL: "postgresql://ops:s3cret@127.0.0.1:1/app?connect_timeout=2")
        let answer = try await never.scrape()
        #expect(answer.status == 200 && answer.body.contains("wsync_up 0") && !answer.body.contains("s3cret"))
        #expect(try await never.scrape(path: "other").status == 404)
        await never.stop()
    }

    @Test func listenRefusesOtherMachinesUnlessAllowed() async throws {
        let database = try await offPool { try TestDatabase.create() }
        for address in ["0.0.0.0:9187", "192.0.2.7:9187", "[::]:9187"] {
            let refused = try await offPool { try WSyncProcess.run(["metrics", "--listen", address], databaseURL: database.url) }
            #expect(refused.status == 2 && refused.stderr.contains("--allow-remote"), "\(address): \(refused.output)")
        }
        let nonsense = try await offPool { try WSyncProcess.run(["metrics", "--listen", "example.com"], databaseURL: database.url) }
        #expect(nonsense.status == 2 && nonsense.stderr.contains("HOST:PORT"), "\(nonsense.output)")
        let process = try WSyncProcess(["metrics", "--listen", "0.0.0.0:0", "--allow-remote"], environment: ["DATABASE_URL": database.url])
        for _ in 0..<300 where !process.stdout.contains("serving http://0.0.0.0:") {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(process.stdout.contains("serving http://0.0.0.0:"), "\(process.output)")
        process.signal(SIGTERM)
        #expect(await process.exitStatus(timeout: 30) == 0)
    }

    /// Every series docs/alerts.yml names is one wsync serves, and its failing-syncs rule is `wsync check`'s.
    @Test func theAlertRulesMatchWhatIsServedAndWhatCheckCounts() async throws {
        let rules = try String(contentsOf: Readme.root.appendingPathComponent("docs/alerts.yml"), encoding: .utf8)
        let database = try await offPool {
            let database = try TestDatabase.create()
            _ = try DemoSeed.seed(database.connect())
            return database
        }
        let server = try await Server.start(databaseURL: database.url)
        let families = try await server.families()
        await server.stop()

        let served = Set(families.map(\.name))
        let named = Set(rules.matches(of: /wsync_[a-z_]+/).map { String($0.output) })
        #expect(!named.isEmpty)
        #expect(named.subtracting(served).isEmpty, "alerts.yml names series wsync does not serve: \(named.subtracting(served))")
        #expect(rules.contains("expr: wsync_jobs_failing_repeatedly > 5"), "the check's rule, with check's --max-failed default")
        let check = try await offPool { try WSyncProcess.run(["check"], databaseURL: database.url) }
        let failing = try await offPool { try SyncAlert.fetch(database.connect()).failing }
        #expect(families.value("wsync_jobs_failing_repeatedly") == Double(failing))
        #expect((failing > 5) == (check.status == 1), "the rule fires exactly when check alerts")
    }

    @Test func whatWsyncRendersReadsBackExactlyEvenWithHostileText() throws {
        let text = PrometheusText.render([
            MetricFamily("x_total", .counter, "help with \\ and\na newline", [.init(labels: [("l", "q\"\\\n}")], value: 1.5)]),
            .histogram("d_seconds", "durations", bounds: [1, 2], counts: [3, 0, 2], sum: 9.25),
        ])
        let families = try PrometheusTextParser.parse(text)
        #expect(families.first?.help == "help with \\ and\na newline")
        #expect(families.value("x_total", ["l": "q\"\\\n}"]) == 1.5)
        #expect(families.value("d_seconds_bucket", ["le": "1"]) == 3)
        #expect(families.value("d_seconds_bucket", ["le": "2"]) == 3)
        #expect(families.value("d_seconds_bucket", ["le": "+Inf"]) == 5)
        #expect(families.value("d_seconds_count") == 5 && families.value("d_seconds_sum") == 9.25)
    }

    @Test func theParserRefusesWhatTheFormatForbids() throws {
        let good = "# HELP a_total A count.\n# TYPE a_total counter\na_total{x=\"q\\\"\\\\\\n\"} 3\n"
        #expect(try PrometheusTextParser.parse(good).value("a_total", ["x": "q\"\\\n"]) == 3)
        let bad = [
            "a 1\n",  // no HELP or TYPE
            "# TYPE a gauge\na 1\n",  // TYPE without HELP
            "# HELP a A.\n# TYPE a gauge\na 1",  // no final newline
            "# HELP a A.\n# TYPE a counter\na 1\n",  // counter without _total
            "# HELP a_total A.\n# TYPE a_total counter\na_total -1\n",  // negative counter
            "# HELP a A.\n# TYPE a gauge\na 1\na 2\n",  // repeated series
            "# HELP a A.\n# TYPE a gauge\nb 1\n",  // another family's sample
            "# HELP a A.\n# TYPE a gauge\na{x=\"\\t\"} 1\n",  // unknown escape
            "# HELP a A.\n# TYPE a gauge\na 1 1700000000\n",  // timestamp
            "# HELP h H.\n# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n",  // not cumulative
            "# HELP h H.\n# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n",  // no +Inf
        ]
        for text in bad {
            #expect(throws: PrometheusTextParser.Malformed.self, "\(text)") { try PrometheusTextParser.parse(text) }
        }
    }
}
