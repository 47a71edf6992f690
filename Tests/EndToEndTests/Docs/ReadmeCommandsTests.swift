import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import SyncEngine
import Postgres
import TestSupport
import Testing

/// Every command README gives, run in README's order against a fresh database and the GitHub simulator.
/// Commands run without a terminal, so the mutating ones act without asking, as README documents for scripts.
/// Each must exit 0, except `wsync check`, which README documents as exit 1 with one `ALERT:` line.
/// Commands that do not end on their own are run the way README says they are stopped: `wsync worker` is sent
/// SIGTERM and must exit 0; `wsync dash` runs in tmux and quits with `q`; `wsync dash --once` exits 1 exactly when
/// `wsync check` would alert; `wsync metrics` must serve a well-formed scrape, then stop on SIGTERM with exit 0.
/// `wsync demo` is DemoTests' subject.
@Suite(.serialized) struct ReadmeCommandsTests {
    @Test func everyReadmeCommandRunsInOrder() async throws {
        let steps = try ReadmeStep.parse(try Readme.blocks())
        let commands = steps.filter { if case .wsync = $0 { true } else { false } }
        #expect(commands.count >= 30, "README's command blocks were not found: \(commands.count) commands")
        let world = try await ReadmeWorld()
        defer { Task { await world.stop() } }
        var alerts = 0
        for step in steps {
            switch step {
            case .environment(let name, _): try world.export(name)
            case .provided: continue  // the reason is in ReadmeStep.provided
            case .testCommand(let line):
                let ci = try String(contentsOf: Readme.root.appendingPathComponent(".ci/run"), encoding: .utf8)
                #expect(ci.components(separatedBy: "\n").contains(line.text), "\(line): .ci/run must run README's test command")
            case .manual(let file, let line):
                let page = try String(contentsOf: world.file(file), encoding: .utf8)
                #expect(page.hasPrefix(".TH WSYNC 1"), "\(line): \(file) is not the man page")
            case .wsync(let arguments, let redirect, let line):
                alerts += try await run(arguments, redirect: redirect, line: line, in: world)
            }
        }
        #expect(world.seeded, "README never ran `wsync migrate`, so nothing was seeded")
        #expect(alerts > 0, "eight syncs were seeded failing, yet no `wsync check` in README alerted")
    }

    /// Runs one README command the way README says it runs; returns 1 when it was a `check` that alerted.
    private func run(_ written: [String], redirect: String?, line: Readme.Line, in world: ReadmeWorld) async throws -> Int {
        var arguments = try await world.resolve(written, line: line)
        if let index = arguments.firstIndex(of: "--output"), index + 1 < arguments.count {
            arguments[index + 1] = world.file(arguments[index + 1]).path
        }
        switch arguments.first {
        case "demo":
            #expect(arguments == ["demo"], "\(line): DemoTests runs `wsync demo` without options; test these elsewhere")
            return 0
        case "dash" where arguments.contains("--once"):
            try await oneShotDashboard(arguments, line: line, in: world)
            return 0
        case "dash":
            try await dashboard(arguments, line: line, in: world)
            return 0
        case "metrics":
            try await metricsServer(arguments, line: line, in: world)
            return 0
        case "worker" where !arguments.contains("--once"):
            try await backgroundWorker(arguments, line: line, in: world)
            return 0
        default:
            break
        }
        let mailed = (try? String(contentsOf: world.mailbox, encoding: .utf8)) ?? ""
        let child = try WSyncProcess(arguments, environment: world.environment)
        let status = await child.exitStatus()
        world.record(child.stdout)
        if arguments.first == "check" {
            let alerted = child.stdout.hasPrefix("ALERT: ") && child.stdout.split(separator: "\n").count == 1
            let healthyOutput = arguments.contains("--quiet") ? child.stdout.isEmpty : child.stdout.hasPrefix("OK: ")
            #expect(status == (alerted ? 1 : 0) && (alerted || healthyOutput), "\(line): exit \(String(describing: status)): \(child.output)")
            if alerted, arguments.contains("--notify-command") {
                let now = (try? String(contentsOf: world.mailbox, encoding: .utf8)) ?? ""
                #expect(now.count > mailed.count && now.hasSuffix(child.stdout), "\(line): the alert did not reach the notify command")
            }
            return alerted && status == 1 ? 1 : 0
        }
        if ["sync", "retry"].contains(arguments.first) {
            // README's world keeps some repositories missing: a sync that leaves any of them failed exits 1, as documented.
            let unsynced = child.stdout.split(separator: "\n").contains { $0.contains(" failed ") || $0.contains(" partial ") }
            #expect(status == (unsynced ? 1 : 0), "\(line): exit \(String(describing: status)): \(child.output)")
            return 0
        }
        #expect(status == 0, "\(line): exit \(String(describing: status)): \(child.output)")
        if let redirect {
            try child.stdout.write(to: world.file(redirect), atomically: true, encoding: .utf8)
            #expect(!child.stdout.isEmpty, "\(line): printed nothing into \(redirect)")
        }
        if let index = arguments.firstIndex(of: "--output") {
            #expect(FileManager.default.fileExists(atPath: arguments[index + 1]), "\(line): wrote no \(arguments[index + 1])")
        }
        if arguments == ["migrate"], status == 0, !world.seeded {
            #expect(child.stdout.hasPrefix("applied migrations"), "\(line): \(child.output)")
            try await world.seed()
        }
        return 0
    }

    /// `wsync worker` runs until stopped: it must register, take a due job when there is one, and on SIGTERM
    /// release everything and exit 0.
    private func backgroundWorker(_ arguments: [String], line: Readme.Line, in world: ReadmeWorld) async throws {
        let due = try await world.count("""
            SELECT count(*)::int AS n FROM workspace_tracked_repositories
            WHERE is_active AND fetch_issues AND (next_sync_at IS NULL OR next_sync_at <= now())
            """)
        let worker = try WSyncProcess(arguments, environment: world.environment)
        let registered: SQL = "SELECT count(*)::int AS n FROM wsync.workers WHERE pid = \(Int(worker.pid)) AND stopped_at IS NULL"
        let ran: SQL = """
            SELECT count(*)::int AS n FROM wsync.sync_runs r JOIN wsync.workers w ON w.id = r.worker_id WHERE w.pid = \(Int(worker.pid))
            """
        var (isRegistered, runs) = (false, 0)
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            isRegistered = try await world.count(registered) == 1
            runs = try await world.count(ran)
            if isRegistered && (due == 0 || runs > 0) { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(isRegistered, "\(line): the worker never registered: \(worker.output)")
        #expect(due == 0 || runs > 0, "\(line): \(due) jobs were due but the worker synced none: \(worker.output)")
        worker.signal(SIGTERM)
        #expect(await worker.exitStatus(timeout: 60) == 0, "\(line): after SIGTERM: \(worker.output)")
        #expect(try await world.count("SELECT count(*)::int AS n FROM wsync.workers WHERE pid = \(Int(worker.pid)) AND stopped_at IS NULL") == 0)
        world.record(worker.stdout)
    }

    /// `wsync dash --once` prints the screen as text and exits as `wsync check` would.
    private func oneShotDashboard(_ arguments: [String], line: Readme.Line, in world: ReadmeWorld) async throws {
        let check = try WSyncProcess(["check"], environment: world.environment)
        let alerting = await check.exitStatus() == 1
        let dash = try WSyncProcess(arguments, environment: world.environment)
        let status = await dash.exitStatus()
        #expect(status == (alerting ? 1 : 0), "\(line): exit \(String(describing: status)) with check alerting \(alerting): \(dash.stderr)")
        #expect(dash.stdout.contains("1 Sync status") && !dash.stdout.contains("\u{1B}"), "\(line):\n\(dash.stdout)")
        world.record(dash.stdout)
    }

    /// `wsync metrics` serves until stopped: one scrape must parse and read the database, then SIGTERM ends it.
    private func metricsServer(_ arguments: [String], line: Readme.Line, in world: ReadmeWorld) async throws {
        let server = try WSyncProcess(arguments, environment: world.environment)
        var url: URL?
        for _ in 0..<300 where url == nil {
            url = server.stdout.split(separator: " ").dropFirst().first.flatMap { URL(string: String($0)) }
            if url == nil { try await Task.sleep(for: .milliseconds(50)) }
        }
        let found = try #require(url, "\(line): printed no URL: \(server.output)")
        let (data, _) = try await URLSession.shared.data(from: found)
        let families = try PrometheusTextParser.parse(String(decoding: data, as: UTF8.self))
        #expect(families.value("wsync_up") == 1, "\(line)")
        server.signal(SIGTERM)
        #expect(await server.exitStatus(timeout: 30) == 0, "\(line): after SIGTERM: \(server.output)")
    }

    /// `wsync dash` needs a terminal: tmux gives it one; it must come up live and quit on `q` with exit 0.
    private func dashboard(_ arguments: [String], line: Readme.Line, in world: ReadmeWorld) async throws {
        // Only the set variables: TmuxSession puts `-u NAME` after the assignments, where env(1) takes it for the command.
        let environment: [String: String?] = world.environment.filter { $0.value != nil }
        let (live, first, exited, last) = try await offPool {
            let session = try TmuxSession(command: [WSyncProcess.binary.path] + arguments, width: 120, height: 40, environment: environment)
            defer { session.close() }
            let (live, first) = try session.waitFor(timeout: 60) { $0.contains("1 Sync status") && $0.contains(" live ") }
            try session.send("q")
            let (exited, last) = try session.waitFor(timeout: 30) { $0.contains("[exited 0]") }
            return (live, first, exited, last)
        }
        #expect(live, "\(line): the dashboard did not come up live:\n\(first)")
        #expect(!first.contains("no such theme"), "\(line): \(first)")
        #expect(first.contains(arguments.contains("--read-only") ? "[RO]" : "[RW]"), "\(line):\n\(first)")
        #expect(exited, "\(line): q did not end it with exit 0:\n\(last)")
    }
}
