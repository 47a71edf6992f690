import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GitHubSimulator
import Postgres
import SyncEngine
import TestSupport
import Testing

/// docs/deploy, run as the machines they are written for would run them: the systemd units' ExecStart with the
/// environment file's variables and the unit's kill signal, the crontab's lines through /bin/sh as cron does, and
/// the workflow's sync step through bash with the guide's inputs — against a real database and the simulator.
@Suite struct DeployExamplesTests {
    static let directory = Readme.root.appendingPathComponent("docs/deploy")

    static func text(_ name: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
    }

    // MARK: - systemd

    /// A unit file's `Key=value` lines by section (repeated keys keep every value, in order).
    struct Unit {
        var sections: [String: [(key: String, value: String)]] = [:]

        init(_ text: String) {
            var section = ""
            for line in text.components(separatedBy: "\n") {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
                if trimmed.hasPrefix("["), trimmed.hasSuffix("]") { section = String(trimmed.dropFirst().dropLast()); continue }
                guard let equals = trimmed.firstIndex(of: "=") else { continue }
                sections[section, default: []].append((String(trimmed[..<equals]), String(trimmed[trimmed.index(after: equals)...])))
            }
        }

        func values(_ key: String, in section: String = "Service") -> [String] {
            (sections[section] ?? []).filter { $0.key == key }.map(\.value)
        }

        /// ExecStart as words, the installed path replaced by the binary under test.
        func execStart() throws -> [String] {
            let line = try #require(values("ExecStart").first)
            let words = try ShellWords.split(line, Readme.Line(number: 0, text: line))
            #expect(words.first == "/usr/local/bin/wsync", "the unit runs wsync where README installs it")
            return Array(words.dropFirst())
        }

        var killSignal: Int32 {
            switch values("KillSignal").first ?? "SIGTERM" {
            case "SIGINT": SIGINT
            default: SIGTERM
            }
        }
    }

    @Test(arguments: ["wsync-worker.service", "wsync-metrics.service"])
    func eachUnitIsHardened(name: String) async throws {
        let text = try Self.text(name)
        let unit = Unit(text)
        #expect(unit.values("User").first.map { !$0.isEmpty && $0 != "root" } == true, "a dedicated user")
        #expect(unit.values("NoNewPrivileges") == ["yes"])
        #expect(unit.values("ProtectSystem") == ["strict"], "the file system read-only")
        #expect(unit.values("ReadWritePaths").isEmpty, "wsync writes no files, so nothing is writable")
        #expect(unit.values("EnvironmentFile") == ["/etc/wsync/env"])
        #expect(unit.values("RestartPreventExitStatus") == ["2"], "configuration errors are not restarted")
        let analyze = URL(fileURLWithPath: "/usr/bin/systemd-analyze")
        guard FileManager.default.isExecutableFile(atPath: analyze.path) else { return }
        // systemd's own checks, on a copy that runs the binary under test.
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("\(UUID().uuidString.prefix(8))-\(name)")
        try text.replacingOccurrences(of: "/usr/local/bin/wsync", with: WSyncProcess.binary.path).write(to: copy, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: copy) }
        // verify exits 0 even for directives it ignores, but names them; an exposure above 2.0 fails `security`.
        let verify = try WSyncProcess(["verify", copy.path], environment: [:], executable: analyze)
        #expect(await verify.exitStatus(timeout: 60) == 0 && verify.output.isEmpty, "systemd-analyze verify: \(verify.output)")
        let security = try WSyncProcess(["security", "--offline=yes", "--threshold=20", copy.path], environment: [:], executable: analyze)
        #expect(await security.exitStatus(timeout: 60) == 0, "systemd-analyze security: \(security.output)")
    }

    @Test func theWorkerUnitsExecStartSyncsAndStopsCleanlyOnItsKillSignal() async throws {
        let world = try await SimulatedWorld.make(repositories: 3, issues: 5)
        defer { Task { [simulator = world.simulator] in await simulator.stop() } }
        let unit = Unit(try Self.text("wsync-worker.service"))
        let worker = try WSyncProcess(try unit.execStart(), environment: world.environment)
        let synced: SQL = "SELECT count(*)::int AS n FROM workspace_tracked_repositories WHERE last_sync_status = 'success'"
        for _ in 0..<600 where try world.count(synced) < 3 {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(try world.count(synced) == 3, "\(worker.output)")
        worker.signal(unit.killSignal)
        #expect(await worker.exitStatus(timeout: 60) == 0, "systemd counts a clean stop as success: \(worker.output)")
        #expect(try world.count("SELECT count(*)::int AS n FROM wsync.workers WHERE stopped_at IS NULL") == 0)

        // A refused token ends the worker with a status the unit does not restart.
        try world.connection.execute("UPDATE workspace_tracked_repositories SET next_sync_at = now()")
        var refused = world.environment
        refused["GITHUB_TOKEN"] = "revoked-token"
        let rejected = try WSyncProcess(try unit.execStart(), environment: refused)
        let status = await rejected.exitStatus(timeout: 60)
        #expect(status.map { unit.values("RestartPreventExitStatus").contains(String($0)) } == true, "exit \(String(describing: status)): \(rejected.output)")
    }

    @Test func theMetricsUnitsExecStartServesUntilItsKillSignal() async throws {
        let world = try await SimulatedWorld.make(repositories: 1, issues: 5)
        defer { Task { [simulator = world.simulator] in await simulator.stop() } }
        let unit = Unit(try Self.text("wsync-metrics.service"))
        let metrics = try WSyncProcess(try unit.execStart(), environment: world.environment)
        for _ in 0..<300 where !metrics.stdout.contains("serving http://127.0.0.1:9187/metrics") {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(metrics.stdout.contains("serving http://127.0.0.1:9187/metrics"), "\(metrics.output)")
        let (data, _) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:9187/metrics")!)
        let families = try PrometheusTextParser.parse(String(decoding: data, as: UTF8.self))
        #expect(families.value("wsync_jobs_due") == 1)
        metrics.signal(unit.killSignal)
        #expect(await metrics.exitStatus(timeout: 30) == 0, "\(metrics.output)")
    }

    // MARK: - cron

    /// The crontab's lines as cron runs them: its variables set, each command through `/bin/sh -c`.
    func runCrontab(databaseURL: String) async throws -> [(command: String, status: Int32?, stdout: String)] {
        var environment: [String: String?] = ["DATABASE_URL": nil]
        var results: [(String, Int32?, String)] = []
        for line in try Self.text("wsync.crontab").components(separatedBy: "\n") {
            let text = line.trimmingCharacters(in: .whitespaces)
            if text.isEmpty || text.hasPrefix("#") { continue }
            if let equals = text.firstIndex(of: "="), text[..<equals].allSatisfy({ $0.isUppercase || $0 == "_" }) {
                let name = String(text[..<equals])
                environment[name] = name == "DATABASE_URL" ? databaseURL : String(text[text.index(after: equals)...])
                continue
            }
            let fields = text.split(separator: " ", maxSplits: 5)
            #expect(fields.count == 6, "a crontab entry: \(text)")
            let command = String(fields[5]).replacingOccurrences(of: "/usr/local/bin/wsync", with: WSyncProcess.binary.path)
            let child = try WSyncProcess(["-c", command], environment: environment, executable: URL(fileURLWithPath: "/bin/sh"))
            results.append((String(fields[5]), await child.exitStatus(), child.stdout))
        }
        return results
    }

    @Test func theCrontabAlertsOnlyWhenCheckWouldAndMailsASnapshot() async throws {
        let failing = try await offPool {
            let database = try TestDatabase.create()
            try DemoSeed.seed(database.connect())
            return database
        }
        let alerting = try await runCrontab(databaseURL: failing.url)
        #expect(alerting.count == 2)
        let check = try #require(alerting.first { $0.command.contains(" check") })
        #expect(check.status == 1 && check.stdout.hasPrefix("ALERT: ") && check.stdout.split(separator: "\n").count == 1, "\(check)")
        let snapshot = try #require(alerting.first { $0.command.contains(" dash --once") })
        #expect(snapshot.status == 1 && snapshot.stdout.contains("2 Failed syncs"), "\(snapshot.command)")

        let healthy = try await offPool { try TestDatabase.create() }
        for result in try await runCrontab(databaseURL: healthy.url) {
            #expect(result.status == 0, "\(result.command)")
            #expect(result.command.contains(" check") == result.stdout.isEmpty, "a healthy check mails nothing: \(result.stdout)")
        }
    }

    // MARK: - GitHub Actions

    /// One step of the workflow: its `env:` entries and its `run: |` script, read by indentation.
    struct WorkflowStep {
        var environment: [(name: String, value: String)] = []
        var script = ""

        init(named name: String, in workflow: String) throws {
            let lines = workflow.components(separatedBy: "\n")
            let start = try #require(lines.firstIndex { $0.trimmingCharacters(in: .whitespaces) == "- name: \(name)" })
            let indent = lines[start].prefix { $0 == " " }.count + 2
            var mode = ""
            for line in lines[(start + 1)...] {
                let depth = line.prefix { $0 == " " }.count
                if !line.trimmingCharacters(in: .whitespaces).isEmpty, depth < indent { break }
                let content = line.trimmingCharacters(in: .whitespaces)
                if depth == indent {
                    mode = content == "env:" ? "env" : content == "run: |" ? "run" : ""
                } else if mode == "env", let colon = content.firstIndex(of: ":") {
                    environment.append((String(content[..<colon]), content[content.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
                } else if mode == "run" {
                    script += String(line.dropFirst(min(depth, indent + 2))) + "\n"
                }
            }
        }

        /// The environment GitHub would give the step: `${{ secrets.X }}` and `${{ inputs.X }}` filled in.
        func rendered(secrets: [String: String], inputs: [String: String]) throws -> [String: String?] {
            var out: [String: String?] = [:]
            for (name, value) in environment {
                let expression = try #require(value.wholeMatch(of: /\$\{\{ (secrets|inputs)\.([a-z_A-Z]+) \}\}/), "\(name): \(value)")
                out[name] = expression.1 == "secrets" ? secrets[String(expression.2)] : (inputs[String(expression.2)] ?? "")
            }
            return out
        }
    }

    @Test func theWorkflowRunsTheGuidesSyncsWithItsInputs() async throws {
        let workflow = try Self.text("capture-workspace-issues.yml")
        let declared = Set(workflow.matches(of: /\n      ([a-z_]+):\n        description:/).map { String($0.1) })
        #expect(declared == ["workspace_id", "hours_back", "limit", "dry_run"], "the guide's inputs")
        #expect(workflow.contains("  schedule:") && workflow.contains("  workflow_dispatch:"))
        let step = try WorkflowStep(named: "Sync issues", in: workflow)

        let world = try await SimulatedWorld.make(repositories: 3, issues: 5)
        defer { Task { [simulator = world.simulator] in await simulator.stop() } }
        let secrets = ["DATABASE_URL": world.database.url, "WSYNC_GITHUB_TOKEN": SimulatedWorld.token]
        func run(_ inputs: [String: String]) async throws -> (status: Int32?, json: [String: Any]?, output: String) {
            var environment = try step.rendered(secrets: secrets, inputs: inputs)
            environment["GITHUB_API_URL"] = world.simulator.baseURL.absoluteString  // the runner sets it; here, the simulator
            environment["GITHUB_ACTOR"] = "octo-operator"
            environment["PATH"] = WSyncProcess.binary.deletingLastPathComponent().path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
            let child = try WSyncProcess(["-c", step.script], environment: environment, executable: URL(fileURLWithPath: "/bin/bash"))
            let status = await child.exitStatus()
            return (status, try? JSONSerialization.jsonObject(with: Data(child.stdout.utf8)) as? [String: Any], child.output)
        }
        func processed(_ result: (status: Int32?, json: [String: Any]?, output: String)) -> Int? {
            #expect(result.status == 0, "\(result.output)")
            return result.json?["repositories_processed"] as? Int
        }
        let runs: SQL = "SELECT count(*)::int AS n FROM wsync.sync_runs"

        // gh workflow run capture-workspace-issues.yml -f dry_run=true
        #expect(processed(try await run(["dry_run": "true"])) == 3)
        #expect(try world.count(runs) == 0, "a dry run writes nothing")
        // gh workflow run … -f workspace_id=… -f limit=1
        #expect(processed(try await run(["workspace_id": world.workspace.uuidString, "limit": "1", "dry_run": "false"])) == 1)
        #expect(try world.count(runs) == 1)
        // The schedule: no inputs; the due rows by priority.
        #expect(processed(try await run([:])) == 2)
        // gh workflow run … -f hours_back=48 -f limit=50: due or not, with a selector only; here the due rows (none left).
        let forced = try await run(["hours_back": "48", "limit": "50", "dry_run": "false"])
        #expect(processed(forced) == 0, "\(forced.output)")
        #expect(try world.count("SELECT count(*)::int AS n FROM wsync.audit_log WHERE action = 'sync' AND actor = 'github-actions:octo-operator'") >= 2)
        #expect(try world.count("SELECT count(*)::int AS n FROM issues") == 15)
    }
}
