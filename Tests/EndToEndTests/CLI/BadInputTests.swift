import Foundation
import GitHubSimulator
import Postgres
import SyncEngine
import Testing
import TestSupport

/// Bad input to the real binary: each case is refused with ONE line on stderr that names the cause and the fix,
/// exit status 2, and nothing changed in the database. The counts of cases are quoted in docs/reliability.md.
@Suite struct BadInputTests {
    /// How every connection failure ends: how to point wsync at a database.
    static let settingAdvice = "DATABASE_URL=postgresql://USER:PASSWORD@HOST:PORT/DATABASE"

    /// The line, exit 2, no output on stdout, and what it must and must not say.
    static func expectRefusal(_ result: WSyncProcess.Result, _ label: String, says: [String], never: [String] = [],
                              sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.status == 2, "\(label): exit \(result.status): \(result.output)", sourceLocation: sourceLocation)
        let lines = result.stderr.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.count == 1, "\(label): one line, got \(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.hasPrefix("wsync: "), "\(label): \(result.stderr)", sourceLocation: sourceLocation)
        for text in says {
            #expect(result.stderr.contains(text), "\(label): should say \(text): \(result.stderr)", sourceLocation: sourceLocation)
        }
        for text in never {
            #expect(!result.output.contains(text), "\(label): must not say \(text): \(result.output)", sourceLocation: sourceLocation)
        }
        #expect(!result.output.unicodeScalars.contains { ($0.value < 0x20 && $0 != "\n") || (0x7F...0x9F).contains($0.value) },
                "\(label): raw control characters: \(result.output.debugDescription)", sourceLocation: sourceLocation)
    }

    /// A connection that cannot be made: the target libpq really tried, the cause, the fix, how to set it.
    @Test func connectionProblemsNameTheTargetTheCauseAndTheFix() throws {
        let secret = "s3cret-Pw-42"
        // (DATABASE_URL, what the line must say, what it must never say)
        let cases: [(String?, [String], [String])] = [
            // Nothing configured: libpq's defaults (PGPORT points at a port no socket has, so no local server answers).
            (nil, ["on the socket ", "/.s.PGSQL.1", "nothing configured", "no PostgreSQL server has a socket there"], ["localhost/root"]),
            ("garbage", ["DATABASE_URL is not a PostgreSQL connection string", "neither a postgresql:// URL nor key=value"],
             ["database \"garbage\""]),
            ("mysql://ops:\(secret)@db.example/app", ["DATABASE_URL is not a PostgreSQL connection string", "scheme is mysql://"], [secret]),
            ("postgres://ops:\(secret)@[::1/app", ["DATABASE_URL is not a PostgreSQL connection string", "libpq cannot parse it"], [secret]),
            ("postgresql://ops:\(secret)@db.example:notaport/app", ["port notaport is not a port number", "correct the port in DATABASE_URL"], [secret]),
            ("host=/tmp port=99999", ["port 99999 is not a port number"], []),
            ("postgresql://ops:\(secret)@no-such-host.invalid/app?connect_timeout=5",
             ["database \"app\" at no-such-host.invalid:5432 as user \"ops\"", "from DATABASE_URL", "no-such-host.invalid is unknown",
              "correct the host in DATABASE_URL"], [secret]),
            ("postgresql://ops:\(secret)@127.0.0.1:1/app?connect_timeout=5",
             ["database \"app\" at 127.0.0.1:1 as user \"ops\"", "connection refused", "correct the host and port in DATABASE_URL"], [secret]),
            ("postgresql://ops:\(secret)@/app?host=/nonexistent-wsync-dir",
             ["on the socket /nonexistent-wsync-dir/.s.PGSQL.5432", "no PostgreSQL server has a socket there"], [secret]),
        ]
        let environmentBase: [String: String?] = ["PGHOST": nil, "PGHOSTADDR": nil, "PGPORT": nil, "PGDATABASE": nil,
                                                  "PGUSER": nil, "PGSERVICE": nil, "PGPASSWORD": nil]
        for (url, says, never) in cases {
            for arguments in [["status"], ["reset", "--all-failed", "--yes"], ["dash", "--once"]] {
                var environment = environmentBase
                environment["DATABASE_URL"] = url
                if url == nil { environment["PGPORT"] = "1" }
                let result = try WSyncProcess.run(arguments, environment: environment, timeout: 60)
                Self.expectRefusal(result, "\(arguments) with \(url ?? "nothing")", says: says + [Self.settingAdvice], never: never)
            }
        }
        let flag = try WSyncProcess.run(["status", "--database-url", "garbage"], databaseURL: nil)
        Self.expectRefusal(flag, "--database-url garbage", says: ["--database-url is not a PostgreSQL connection string"])
        let worker = try WSyncProcess.run(["worker"], environment: ["DATABASE_URL": "garbage", "GITHUB_TOKEN": "x"], timeout: 60)
        Self.expectRefusal(worker, "worker with garbage", says: ["DATABASE_URL is not a PostgreSQL connection string"])
    }

    @Test func aWrongPasswordAndAMissingDatabaseAreSaidAsSuch() throws {
        let (role, url) = try TestDatabase.passwordRole(password: "the-right-one")
        let wrong = "Wr0ng-pa55word"
        let refused = try WSyncProcess.run(["status"], databaseURL: url(wrong))
        Self.expectRefusal(refused, "wrong password",
                           says: ["as user \"\(role)\"", "refused the password of user \"\(role)\"", "correct the password in DATABASE_URL",
                                  Self.settingAdvice], never: [wrong, "the-right-one"])
        let database = try TestDatabase.create()
        let missing = database.url.replacingOccurrences(of: database.name, with: "no_such_database")
        let absent = try WSyncProcess.run(["status"], databaseURL: missing)
        Self.expectRefusal(absent, "missing database", says: ["the server has no database \"no_such_database\"", Self.settingAdvice])
    }

    @Test func badOrMissingGitHubTokensAreOneLine() async throws {
        let world = try await SimulatedWorld.make(repositories: 1, issues: 3)
        defer { Task { [simulator = world.simulator] in await simulator.stop() } }
        let sync = ["sync", "--workspace", world.workspace.uuidString, "--repo", "e2e/repo-0", "--yes"]
        let before = try world.count("SELECT count(*)::int AS n FROM issues")
        // (GITHUB_TOKEN, GITHUB_TOKENS, what the line says)
        let cases: [(String?, String?, [String])] = [
            ("not-the-token", nil, ["GitHub rejected the token", "set a valid GITHUB_TOKEN"]),
            (nil, nil, ["GitHub refused the request made without a token", "set GITHUB_TOKEN"]),
            ("e2e-token\nX-Injected: 1", nil, ["GITHUB_TOKEN holds characters no GitHub token has", "set it to the token alone"]),
            ("tök€n", nil, ["GITHUB_TOKEN holds characters no GitHub token has"]),
            (nil, "@/nonexistent/tokens", ["cannot read the GITHUB_TOKENS file /nonexistent/tokens"]),
            (nil, ",, ,", ["GITHUB_TOKENS holds no token"]),
            (nil, "a=e2e-token,b=two words", ["GITHUB_TOKENS entry 2 holds characters no GitHub token has"]),
        ]
        for (token, tokens, says) in cases {
            var environment = world.environment
            environment["GITHUB_TOKEN"] = token
            environment["GITHUB_TOKENS"] = tokens
            let given = environment
            let result = try await offPool { try WSyncProcess.run(sync, environment: given) }
            Self.expectRefusal(result, "token \(token.debugDescription) pool \(tokens.debugDescription)", says: says,
                               never: ["not-the-token", "X-Injected"])
        }
        let ftp = world.environment.merging(["GITHUB_API_URL": "ftp://x"]) { $1 }
        let badURL = try await offPool { try WSyncProcess.run(sync, environment: ftp) }
        Self.expectRefusal(badURL, "GITHUB_API_URL ftp", says: ["GITHUB_API_URL is not an http(s) URL"])
        #expect(try world.count("SELECT count(*)::int AS n FROM issues") == before, "nothing stored")
    }

    /// Quotes, semicolons, `%`, `_`, backslashes, newlines, escapes and (through the shell) invalid UTF-8 in every
    /// string option: each is refused in one escaped line, or taken as the literal text it is — never as a pattern
    /// (`%/%` names no repository), never as SQL.
    static let hostileStrings = [
        "o'brien", "\"quoted\"", "a; DROP TABLE workspaces; --", "100%", "%", "_", "%/%", "_/_", "a%/b_", "back\\slash",
        "\\%\\_", "line\nbreak", "tab\there", "\u{1B}[31mred\u{1B}]0;t\u{07}", "\u{9B}c1", "\u{202E}rtl", "emoji 🚀/👩‍👩‍👧",
        "   ", "",
    ]

    @Test func hostileStringsInEveryStringOption() throws {
        let database = try TestDatabase.create()
        try DemoSeed.seed(database.connect())
        let connection = try database.connect()
        let workspace = try connection.query("SELECT id FROM workspaces ORDER BY id LIMIT 1")[0].decode("id", as: UUID.self).uuidString
        let jobs: SQL = """
            SELECT md5(string_agg(concat_ws(',', id, sync_attempts, next_sync_at, last_sync_error, sync_frequency_hours,
                                            data_retention_days), ';' ORDER BY id)) AS jobs FROM workspace_tracked_repositories
            """
        let before = try connection.query(jobs)[0].decode("jobs", as: String.self)
        var tried = 0
        for value in Self.hostileStrings {
            let refusedEverywhere: [[String]] = [
                ["reset", "--workspace", value, "--yes"],
                ["failed", "--workspace", value],
                ["reset", "--workspace", workspace, "--repo", value, "--yes"],
                ["retry", "--workspace", workspace, "--repo", value, "--yes"],
                ["pause-tier", value, "--yes"],
                ["stuck", "--older-than", value],
                ["export", "--since", value],
                ["report", "perf", "--since", value],
                ["rollback", "--drop-tables", "--confirm-database", value, "--yes"],
                ["dash", "--theme", value],
                ["metrics", "--listen", value],
                ["status", "--database-url", value],
                ["export", "--output", "/nonexistent-wsync-dir/" + value],
            ]
            for arguments in refusedEverywhere {
                // An empty --database-url falls back to DATABASE_URL (and works): that one is not a refusal.
                if arguments.contains("--database-url"), value.isEmpty { continue }
                let result = try WSyncProcess.run(arguments, databaseURL: database.url)
                tried += 1
                Self.expectRefusal(result, "\(arguments)", says: [])
            }
            // Taken literally: the reason and the actor of an emergency stop, then its resume.
            let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
            let stop = try WSyncProcess.run(["stop-all", "--reason", value, "--actor", value, "--yes"], databaseURL: database.url)
            tried += 1
            if trimmed.isEmpty {
                Self.expectRefusal(stop, "stop-all with a blank reason", says: ["is empty"])
                continue
            }
            #expect(stop.status == 0, "\(value.debugDescription): \(stop.output)")
            #expect(!stop.output.unicodeScalars.contains { ($0.value < 0x20 && $0 != "\n") || (0x7F...0x9F).contains($0.value) })
            let entry = try #require(try AuditLog.entries(connection, limit: 1).first)
            #expect(entry.action == "stop-all" && entry.actor == trimmed && entry.parameters["reason"] == trimmed,
                    "\(value.debugDescription): \(entry)")
            let pause = try connection.query("SELECT reason FROM wsync.pause")[0].decode("reason", as: String.self)
            #expect(pause == trimmed)
            let resume = try WSyncProcess.run(["resume", "--actor", value, "--yes"], databaseURL: database.url)
            #expect(resume.status == 0, "\(resume.output)")
            tried += 1
        }
        // Invalid UTF-8 cannot be a Swift String: the shell passes the bytes, which arrive as U+FFFD and are refused.
        for arguments in ["reset --workspace \"$(printf 'a\\377\\376b')\" --yes", "pause-tier \"$(printf '\\300\\257')\" --yes",
                          "stop-all --reason \"$(printf 'bad \\377 utf8')\" --actor \"$(printf '\\377')\" --yes",
                          "resume --yes --actor \"$(printf '\\377')\""] {
            let result = try WSyncProcess.run(["-c", "exec \"$0\" \(arguments)", WSyncProcess.binary.path],
                                              environment: ["DATABASE_URL": database.url], executable: URL(fileURLWithPath: "/bin/sh"))
            tried += 1
            if arguments.hasPrefix("stop-all") || arguments.hasPrefix("resume") {
                #expect(result.status == 0, "\(arguments): \(result.output)")
            } else {
                Self.expectRefusal(result, arguments, says: [])
            }
        }
        let reason = try #require(try AuditLog.entries(connection, limit: 2).last?.parameters["reason"])
        #expect(reason == "bad \u{FFFD} utf8", "\(reason.debugDescription)")
        #expect(try connection.query(jobs)[0].decode("jobs", as: String.self) == before, "no job changed in the end")
        #expect(try connection.query("SELECT to_regclass('workspace_tracked_repositories') IS NOT NULL AS here")[0].decode("here", as: Bool.self))
        #expect(tried > 250, "\(tried) runs")
    }

    /// The live dashboard's `/` filter, typed in a real terminal: `%`, `_`, quotes and backslashes match only rows
    /// that contain them, and what is typed is shown escaped.
    @Test func theDashboardFilterMatchesOnlyTheLiteralText() throws {
        let database = try TestDatabase.create()
        let connection = try database.connect()
        try DemoSeed.seed(connection)
        let names = ["lit/100%", "lit/a_b", "lit/o'brien", "lit/back\\slash"]
        let failed = try connection.query("""
            SELECT tr.repository_id FROM workspace_tracked_repositories wtr JOIN tracked_repositories tr ON tr.id = wtr.tracked_repository_id
            WHERE wtr.last_sync_status = 'failed' ORDER BY wtr.id LIMIT 4
            """).map { try $0.decode("repository_id", as: UUID.self) }
        #expect(failed.count == 4)
        for (id, name) in zip(failed, names) {
            let parts = name.split(separator: "/").map(String.init)
            try connection.execute("UPDATE repositories SET full_name = \(name), owner = \(parts[0]), name = \(parts[1]) WHERE id = \(id)")
        }
        let session = try TmuxSession(command: [WSyncProcess.binary.path, "dash", "--read-only"], width: 120, height: 40,
                                      environment: ["DATABASE_URL": database.url])
        defer { session.close() }
        let (up, first) = try session.waitFor(timeout: 30) { $0.contains("2 Failed syncs") }
        #expect(up, "\(first)")
        try session.send("2")
        for (typed, expected) in [("%", "lit/100%"), ("_", "lit/a_b"), ("'", "lit/o'brien"), ("\\", "lit/back\\slash"), ("%%", nil), ("\"", nil)] {
            try session.send("/")
            try session.type(typed)
            try session.send("Enter")
            let title = expected == nil ? "(0) filter: \(typed) " : "(1) filter: \(typed) "
            let (filtered, screen) = try session.waitFor(timeout: 10) { $0.contains(title) }
            #expect(filtered, "filter \(typed): \(screen)")
            if let expected { #expect(screen.contains(expected), "filter \(typed): \(screen)") }
            try session.send("/")
            try session.send("Escape")
            _ = try session.waitFor(timeout: 10) { !$0.contains("filter: \(typed) ") }
        }
        try session.send("q")
    }

    /// Malformed and unknown ids, numbers out of range or not numbers at all.
    @Test func malformedIdsAndOutOfRangeNumbers() throws {
        let database = try TestDatabase.create()
        try DemoSeed.seed(database.connect())
        let workspace = try database.connect().query("SELECT id FROM workspaces ORDER BY id LIMIT 1")[0].decode("id", as: UUID.self)
        let cases: [([String], String)] = [
            (["reset", "--workspace", "not-a-uuid", "--yes"], "is not a UUID"),
            (["reset", "--workspace", "'; DROP TABLE workspaces; --", "--yes"], "is not a UUID"),
            (["reset", "--workspace", "00000000-0000-0000-0000-00000000000G", "--yes"], "is not a UUID"),
            (["reset", "--workspace", UUID().uuidString, "--yes"], "no workspace has id"),
            (["reset", "--workspace", workspace.uuidString, "--repo", "no/such-repo", "--yes"], "no repository named no/such-repo"),
            (["failed", "--workspace", "{\(UUID().uuidString)}"], "UUID"),
            (["sync", "--workspace", "nope", "--yes"], "--workspace must be a workspace id"),
            (["undo", "987654321", "--yes"], "no action has id 987654321"),
            (["undo", "0", "--yes"], "no action has id 0"),
            (["undo", "--yes", "--", "-5"], "-5"),
            (["undo", "99999999999999999999", "--yes"], "99999999999999999999"),
            (["undo", "abc", "--yes"], "abc"),
            (["resume", "--action", "123456789", "--yes"], "no action has id 123456789"),
            (["stuck", "--limit", "0"], "--limit must be at least 1"),
            (["stuck", "--limit", "99999999999999999999"], "--limit"),
            (["stuck", "--older-than", "0h"], "--older-than"),
            (["stuck", "--older-than", "99999999999w"], "--older-than"),
            (["audit", "--limit=-1"], "--limit must be at least 1"),
            (["set", "frequency", "--tier", "pro", "--hours", "0", "--yes"], "1 to 168"),
            (["set", "frequency", "--tier", "pro", "--hours", "169", "--yes"], "1 to 168"),
            (["set", "retention", "--days", "366", "--yes"], "7 to 365"),
            (["slow-down", "--factor", "nan", "--yes"], "--factor"),
            (["slow-down", "--factor", "inf", "--yes"], "--factor"),
            (["slow-down", "--factor", "0.5", "--yes"], "--factor"),
            (["sync", "--concurrency", "0", "--yes"], "--concurrency must be between 1 and 32"),
            (["sync", "--hours-back", "0", "--yes"], "--hours-back must be between 1 and 8760"),
            (["sync", "--max-pages", "-1", "--yes"], "--max-pages"),
            (["dash", "--once", "--width", "10"], "--width must be between 40 and 500"),
            (["dash", "--interval", "0"], "--interval must be between 0.5 and 3600"),
            (["dash", "--interval", "nan"], "--interval"),
            (["metrics", "--listen", "0.0.0.0:9187"], "not a loopback address"),
            (["metrics", "--listen", "127.0.0.1:99999"], "--listen"),
            (["check", "--max-failed=-1"], "--max-failed must be 0 or more"),
            (["pause-tier", "gold", "--yes"], "unknown tier"),
        ]
        let fingerprint: SQL = """
            SELECT (SELECT count(*) FROM wsync.audit_log)::int AS audit,
                   (SELECT md5(string_agg(w::text, ',' ORDER BY w.id)) FROM workspace_tracked_repositories w) AS jobs
            """
        let before = try database.connect().query(fingerprint)[0]
        for (arguments, expected) in cases {
            let result = try WSyncProcess.run(arguments, databaseURL: database.url)
            Self.expectRefusal(result, "\(arguments)", says: [expected])
        }
        let after = try database.connect().query(fingerprint)[0]
        #expect(try before.decode("audit", as: Int.self) == after.decode("audit", as: Int.self), "no action was recorded")
        #expect(try before.decode("jobs", as: String.self) == after.decode("jobs", as: String.self), "no job changed")
    }

    /// Theme files that cannot be used stop the dashboard before it starts; none is read for ever or shown raw.
    @Test func malformedAndHostileThemeFiles() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wsync-themes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func file(_ name: String, _ data: Data) throws -> String {
            let path = directory.appendingPathComponent(name).path
            try data.write(to: URL(fileURLWithPath: path))
            return path
        }
        var random = SeededGenerator(seed: 14)
        let cases: [(String, String)] = [
            (try file("escape.theme", Data("normal = red\nok = \u{1B}]0;pwned\u{07}\u{1B}[2J\n".utf8)), "unknown colour \"\\e]0;pwned\\x07"),
            (try file("bidi.theme", Data("normal = red\n\u{202E}ok = red\n".utf8)), "unknown role"),
            (try file("long.theme", Data(("normal = " + String(repeating: "x", count: 5000) + "\n").utf8)), "unknown colour"),
            (try file("binary.theme", Data((0..<4096).map { _ in UInt8.random(in: 0...255, using: &random) })), "is not UTF-8 text"),
            (try file("nul.theme", Data("normal = red\0\n".utf8)), "is not UTF-8 text"),
            (try file("latin1.theme", Data([0x6E, 0x6F, 0x72, 0x6D, 0x61, 0x6C, 0x20, 0x3D, 0x20, 0xE9, 0x0A])), "is not UTF-8 text"),
            (try file("huge.theme", Data(repeating: 0x23, count: 1_000_000)), "larger than 64 KiB"),
            (try file("nonormal.theme", Data("ok = red\n".utf8)), "no `normal = …` line"),
            (try file("twice.theme", Data("normal = red\nnormal = blue\n".utf8)), "set twice"),
            ("/dev/zero", "is not a regular file"),
            ("/dev/stdin", "is not a regular file"),
            (directory.path, "is not a regular file"),
            (directory.appendingPathComponent("missing.theme").path, "cannot be read"),
            ("no-such-theme-name", "no such theme; available: default"),
        ]
        for (theme, expected) in cases {
            let result = try WSyncProcess.run(["dash", "--theme", theme], databaseURL: "postgresql:///nowhere?host=/nonexistent", timeout: 30)
            Self.expectRefusal(result, "theme \(theme)", says: ["--theme: theme ", expected, "pass another --theme"])
        }
    }

    /// Standard input closed (not /dev/null: no descriptor 0 at all) and a terminal too small to draw on.
    @Test func closedStandardInputAndATinyTerminal() throws {
        let database = try TestDatabase.create()
        try DemoSeed.seed(database.connect())
        let binary = WSyncProcess.binary.path
        func closedStdin(_ arguments: String) throws -> WSyncProcess.Result {
            try WSyncProcess.run(["-c", "exec \"$0\" \(arguments) <&-", binary], environment: ["DATABASE_URL": database.url],
                                 executable: URL(fileURLWithPath: "/bin/sh"))
        }
        let status = try closedStdin("status --json")
        #expect(status.status == 0 && status.stdout.contains("\"health\""), "\(status.output)")
        let dash = try closedStdin("dash")
        Self.expectRefusal(dash, "dash with stdin closed", says: ["needs a terminal"])
        // No --yes and no terminal to ask on: a script's mutation goes ahead, as documented, and is audited.
        let stop = try closedStdin("stop-all --reason closed-stdin --actor script")
        #expect(stop.status == 0, "\(stop.output)")
        let resume = try closedStdin("resume --actor script")
        #expect(resume.status == 0, "\(resume.output)")

        let tmux = try TmuxSession(command: [binary, "dash"], width: 10, height: 3, environment: ["DATABASE_URL": database.url])
        defer { tmux.close() }
        let (drawn, screen) = try tmux.waitFor { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
        #expect(drawn, "the 10×3 screen says something: \(screen)")
        #expect(screen.split(separator: "\n").allSatisfy { $0.count <= 10 }, "\(screen)")
        try tmux.resize(width: 80, height: 24)
        let (grown, big) = try tmux.waitFor { $0.contains("Sync status") || $0.contains("1 ") }
        #expect(grown, "it draws once the terminal is big enough: \(big)")
        try tmux.resize(width: 10, height: 3)
        Thread.sleep(forTimeInterval: 0.5)
        try tmux.send("q")
        let (quit, last) = try tmux.waitFor { $0.contains("[exited") }
        #expect(quit && last.contains("[exited 0]"), "\(last)")
    }
}
