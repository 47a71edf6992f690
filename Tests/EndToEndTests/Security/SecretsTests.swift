import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GitHubSimulator
import Postgres
import SyncEngine
import TestSupport
import Testing

/// GITHUB_TOKEN, GITHUB_TOKENS and the database password, with known values, never appear in anything wsync
/// writes: output and errors (of commands that work and of ones that fail), the worker's log, audit and run rows
/// (every row of every table), the metrics page, the server's log, the command lines of wsync's processes, and the
/// environment and command line of the children it starts.
@Suite(.serialized) struct SecretsTests {
    static let password = "Pw-SECRET-db-9417"
    static let wrongPassword = "Pw-SECRET-wrong-5521"
    static let tokens = ["ghp_SECRETtokenA1f9e8", "ghp_SECRETtokenB2c7d6", "ghp_SECRETtokenC3b5a4"]
    static let wrongToken = "ghp_SECRETwrongD4e3f2"
    static var secrets: [String] { [password, wrongPassword, wrongToken] + tokens }

    /// Every secret, and its percent-encoded and base64 forms, absent from `text`.
    static func expectNoSecret(_ text: String, _ place: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for secret in secrets {
            let forms = [secret, secret.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? secret,
                         Data(secret.utf8).base64EncodedString(), String(secret.dropFirst(4).prefix(12))]
            for form in forms where text.contains(form) {
                Issue.record("\(place) shows a secret (\(secret.prefix(10))…)", sourceLocation: sourceLocation)
            }
        }
    }

    static func proc(_ pid: Int32, _ file: String) -> String {
        let data = FileManager.default.contents(atPath: "/proc/\(pid)/\(file)") ?? Data()
        return String(decoding: data.map { $0 == 0 ? 10 : $0 }, as: UTF8.self)
    }

    @Test func secretsNeverAppearAnywhereWsyncWrites() async throws {
        let world = try await SimulatedWorld.make(repositories: 3, issues: 40,
                                                  simulator: .init(tokens: Self.tokens))
        defer { Task { [simulator = world.simulator] in await simulator.stop() } }
        let database = world.database
        let (_, url) = try await offPool { try TestDatabase.passwordRole(password: Self.password, superuser: true) }
        let withPassword = url(Self.password).replacingOccurrences(of: "/postgres?", with: "/\(database.name)?")
        let environment: [String: String?] = [
            "DATABASE_URL": withPassword, "GITHUB_API_URL": world.simulator.baseURL.absoluteString,
            "GITHUB_TOKEN": Self.tokens[0], "GITHUB_TOKENS": "second=\(Self.tokens[1]),\(Self.tokens[2])", "PGPASSWORD": Self.password,
        ]
        var captured: [(String, String)] = []
        func run(_ arguments: [String], _ overrides: [String: String?] = [:]) async throws -> WSyncProcess.Result {
            let merged = environment.merging(overrides) { $1 }
            let result = try await offPool { try WSyncProcess.run(arguments, environment: merged) }
            captured.append(("wsync \(arguments.joined(separator: " "))", result.output))
            return result
        }

        // Commands that work.
        let sync = try await run(["sync", "--yes", "--json"])
        #expect(sync.status == 0, "\(sync.output)")
        for arguments in [["status"], ["status", "--json"], ["failed", "--json"], ["stuck"], ["rate-limit"], ["rate-limit", "--json"],
                          ["workers", "--json"], ["audit"], ["audit", "--json"], ["dash", "--once"], ["dash", "--once", "--json"],
                          ["report", "weekly", "--json"], ["report", "cost"], ["export"], ["db", "index-usage"],
                          ["reset", "--all-failed", "--yes"], ["stop-all", "--reason", "drill", "--yes"], ["resume", "--yes"]] {
            let result = try await run(arguments)
            #expect(result.status == 0, "\(arguments): \(result.output)")
        }
        // The notify command records what it was given: its environment and command line.
        let childFile = FileManager.default.temporaryDirectory.appendingPathComponent("wsync-child-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: childFile) }
        try world.connection.execute("UPDATE workspace_tracked_repositories SET last_sync_status = 'failed', sync_attempts = 9")
        let check = try await run(["check", "--max-failed", "0", "--min-attempts", "0",
                                   "--notify-command", "tr '\\0' '\\n' < /proc/$$/environ > '\(childFile)'; tr '\\0' ' ' < /proc/$$/cmdline >> '\(childFile)'; cat >> '\(childFile)'"])
        #expect(check.status == 1, "\(check.output)")
        let child = (try? String(contentsOfFile: childFile, encoding: .utf8)) ?? ""
        #expect(child.contains("ALERT: ") && child.contains("PATH="), "the notify command ran: \(child)")
        captured.append(("the notify command's environ and cmdline", child))

        // Commands that fail: a wrong password, a wrong token, both given as known values.
        let wrong = url(Self.wrongPassword).replacingOccurrences(of: "/postgres?", with: "/\(database.name)?")
        for arguments in [["status"], ["sync", "--yes"], ["worker", "--once"], ["dash", "--once"]] {
            let refused = try await run(arguments, ["DATABASE_URL": wrong, "PGPASSWORD": nil])
            #expect(refused.status == 2, "\(refused.output)")
        }
        try world.connection.execute("UPDATE workspace_tracked_repositories SET next_sync_at = now() - interval '1 minute'")
        let badToken = try await run(["sync", "--yes"], ["GITHUB_TOKEN": Self.wrongToken, "GITHUB_TOKENS": nil])
        #expect(badToken.status == 2 && badToken.stderr.contains("GitHub rejected the token"), "\(badToken.output)")
        let badPool = try await run(["sync", "--yes"], ["GITHUB_TOKEN": nil, "GITHUB_TOKENS": "x=\(Self.wrongToken)"])
        #expect(badPool.status == 2, "\(badPool.output)")

        // A worker and the metrics page, with their command lines read while they run.
        try world.connection.execute("UPDATE workspace_tracked_repositories SET next_sync_at = now() - interval '1 minute'")
        let worker = try WSyncProcess(["worker", "--once", "--concurrency", "2"], environment: environment)
        captured.append(("the worker's /proc cmdline", Self.proc(worker.pid, "cmdline")))
        #expect(await worker.exitStatus(timeout: 120) == 0, "\(worker.output)")
        captured.append(("the worker's log", worker.output))
        let metrics = try WSyncProcess(["metrics", "--listen", "127.0.0.1:0"], environment: environment)
        var page = ""
        for _ in 0..<300 where page.isEmpty {
            if let line = metrics.stdout.split(separator: "\n").first, let found = line.split(separator: " ").dropFirst().first,
               let address = URL(string: String(found)) {
                let (data, _) = try await URLSession.shared.data(for: URLRequest(url: address, timeoutInterval: 60))
                page = String(decoding: data, as: UTF8.self)
            } else {
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        #expect(page.contains("wsync_"), "the metrics page: \(metrics.output)")
        captured.append(("the metrics page", page))
        captured.append(("metrics' /proc cmdline", Self.proc(metrics.pid, "cmdline")))
        metrics.signal(SIGTERM)
        _ = await metrics.exitStatus(timeout: 30)
        captured.append(("the metrics log", metrics.output))

        // Every row of every table wsync and the app share (as row text: XML has no infinite timestamps, which the
        // dashboard's counts by the quarter hour hold), and the server's log.
        let rows = try await offPool { () -> String in
            let connection = try database.connect()
            let tables = try connection.query("""
                SELECT format('%I.%I', schemaname, tablename) AS name FROM pg_tables WHERE schemaname IN ('public', 'wsync')
                """).map { try $0.decode("name", as: String.self) }
            var text = ""
            for table in tables {
                text += try connection.query("""
                    SELECT query_to_xml(format('SELECT t::text AS row FROM %s t', \(table)::text), true, false, '')::text AS rows
                    """)[0].decode("rows", as: String.self)
            }
            return text
        }
        #expect(rows.contains("stop-all") && rows.contains("e2e/repo-0"), "the dump has the audit and the repositories")
        captured.append(("every row of the database", rows))
        let serverLog = (try? String(contentsOfFile: database.cluster.directory + "/server.log", encoding: .utf8)) ?? ""
        captured.append(("the server's log", serverLog))

        for (place, text) in captured { Self.expectNoSecret(text, place) }
        #expect(captured.count > 30)
    }

    /// `wsync demo` starts PostgreSQL (initdb, pg_ctl, the server, a watchdog): none of them inherits a secret.
    @Test func theDemosChildrenInheritNoSecret() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("wsync-secrets-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        defer { try? FileManager.default.removeItem(at: scratch) }
        let session = try TmuxSession(command: [WSyncProcess.binary.path, "demo"], width: 120, height: 40, environment: [
            "TMPDIR": scratch.path, "GITHUB_TOKEN": Self.tokens[0], "GITHUB_TOKENS": Self.tokens[1],
            "DATABASE_URL": "postgresql://ops:\(Self.password)@db.example/app", "PGPASSWORD": Self.password,
        ])
        defer { session.close() }
        let (live, screen) = try session.waitFor(timeout: 120) { $0.contains("● live") }
        #expect(live, "the demo did not come up:\n\(screen)")
        // The demo's cluster directory (the tmux shell that started the demo names the secrets itself, as a user would).
        let children = Self.processes(mentioning: scratch.path + "/wsync-demo-")
        #expect(children.count >= 2, "the server and its watchdog: \(children)")
        for pid in children {
            let environ = Self.proc(pid, "environ")
            #expect(environ.contains("PATH="), "readable environ of \(pid)")
            Self.expectNoSecret(environ, "the environ of \(Self.proc(pid, "cmdline").prefix(60))")
            Self.expectNoSecret(Self.proc(pid, "cmdline"), "the cmdline of \(pid)")
        }
        Self.expectNoSecret(screen, "the demo's screen")
        try session.send("q")
        let (exited, last) = try session.waitFor(timeout: 60) { $0.contains("[exited") }
        #expect(exited, "\(last)")
    }

    static func processes(mentioning text: String) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { proc($0, "cmdline").contains(text) }
    }
}
