import Foundation
import Postgres
import SyncEngine
import Testing
import TestSupport

/// The network to GitHub misbehaving under a real `wsync worker`: a socket that accepts and never answers, an
/// answer reset half way through its body, an answer that trickles a byte every 0.3 s (which the HTTP stack's idle
/// timeout never ends), and a worker told to stop while its request hangs. The fault is a tiny listener of the
/// test's own standing in for GitHub; every other repository gets a valid empty answer from it, so a wedged slot
/// would show as repositories left unsynced.
@Suite(.serialized) struct GitHubNetworkFaultTests {
    static let faultyRepository = "e2e/repo-0"
    static var faultyPath: String { "/repos/\(faultyRepository)/" }

    /// `wsync worker --once` against `github`, with a 1-second idle timeout; returns its status, output and time.
    private func workOnce(_ world: SimulatedWorld, github: URL, concurrency: Int = 2) async throws -> (status: Int32?, output: String, seconds: Double) {
        var environment = world.environment
        environment["GITHUB_API_URL"] = github.absoluteString
        let started = Date()
        let worker = try WSyncProcess(["worker", "--once", "--concurrency", String(concurrency), "--rate-limit-reserve", "0",
                                       "--github-timeout-seconds", "1"], environment: environment)
        let status = await worker.exitStatus(timeout: 90)
        if status == nil { worker.signal(SIGKILL) }
        return (status, worker.output, Date().timeIntervalSince(started))
    }

    private struct JobRow {
        var status: String?
        var error: String?
        var attempts: Int
        var waitSeconds: Double
        var leased: Bool
    }

    private func job(_ world: SimulatedWorld, _ fullName: String) throws -> JobRow {
        let row = try world.connection.query("""
            SELECT wtr.last_sync_status, wtr.last_sync_error, wtr.sync_attempts,
                   extract(epoch FROM wtr.next_sync_at - now())::float8 AS wait, wtr.lease_owner IS NOT NULL AS leased
            FROM workspace_tracked_repositories wtr JOIN tracked_repositories tr ON tr.id = wtr.tracked_repository_id
            JOIN repositories r ON r.id = tr.repository_id WHERE r.full_name = \(fullName)
            """)[0]
        return JobRow(status: try row.decode("last_sync_status"), error: try row.decode("last_sync_error"),
                      attempts: try row.decode("sync_attempts"), waitSeconds: try row.decode("wait"), leased: try row.decode("leased"))
    }

    private func healthyJobsSucceeded(_ world: SimulatedWorld) throws -> Int {
        try world.count("""
            SELECT count(*)::int AS n FROM workspace_tracked_repositories wtr JOIN tracked_repositories tr ON tr.id = wtr.tracked_repository_id
            JOIN repositories r ON r.id = tr.repository_id WHERE r.full_name <> \(Self.faultyRepository) AND wtr.last_sync_status = 'success'
            """)
    }

    /// A first failure waits the backoff's first step, 5 minutes ± 25 %.
    private func expectRetriedLater(_ row: JobRow, _ what: String) {
        #expect(row.status == "failed" && row.attempts == 1 && !row.leased, "\(what): \(row)")
        #expect((224...376).contains(row.waitSeconds), "\(what): retried in \(row.waitSeconds) s, not about 5 minutes")
    }

    @Test func aSocketThatNeverAnswersTimesOutTheJobIsRetriedLaterAndNoSlotWedges() async throws {
        let world = try await SimulatedWorld.make(repositories: 6, issues: 1)
        defer { Task { [simulator = world.simulator] in await simulator.stop() } }
        // Four silent answers: the first try and its three retries.
        let github = try FaultyGitHub(fault: .hang, faultyPath: Self.faultyPath, times: 4)
        defer { github.stop() }
        let pass = try await workOnce(world, github: github.baseURL)
        // Four 1-second timeouts and the retry waits of 1, 2 and 4 s; a wedged request would never let it exit.
        #expect(pass.status == 0, "\(pass.output)")
        #expect(github.faulted(Self.faultyPath) == 4)
        let faulty = try job(world, Self.faultyRepository)
        expectRetriedLater(faulty, "hung socket")
        #expect(faulty.error?.contains("did not answer in time") == true, "\(faulty)")
        #expect(try healthyJobsSucceeded(world) == 5, "a slot wedged on the hung socket and left jobs unsynced")
        let run = try world.connection.query("""
            SELECT status, api_calls FROM wsync.sync_runs run JOIN repositories r ON r.id = run.repository_id
            WHERE r.full_name = \(Self.faultyRepository)
            """)
        #expect(try run.map { try $0.decode("status", as: String.self) } == ["failed"])
        #expect(try run.first?.decode("api_calls", as: Int.self) == 4)

        // Later (here: now), GitHub answers again and the retried job succeeds.
        _ = try world.connection.execute("UPDATE workspace_tracked_repositories SET next_sync_at = now()")
        let again = try await workOnce(world, github: github.baseURL)
        #expect(again.status == 0, "\(again.output)")
        let retried = try job(world, Self.faultyRepository)
        #expect(retried.status == "success" && retried.attempts == 0, "\(retried)")
    }

    @Test func aResetMidBodyIsRetriedWithinTheRun() async throws {
        let world = try await SimulatedWorld.make(repositories: 3, issues: 1)
        defer { Task { [simulator = world.simulator] in await simulator.stop() } }
        let github = try FaultyGitHub(fault: .resetMidBody, faultyPath: Self.faultyPath, times: 2)
        defer { github.stop() }
        let pass = try await workOnce(world, github: github.baseURL)
        #expect(pass.status == 0, "\(pass.output)")
        #expect(github.faulted(Self.faultyPath) == 3, "two resets, then the answer")
        let faulty = try job(world, Self.faultyRepository)
        #expect(faulty.status == "success" && faulty.attempts == 0, "\(faulty)")
        #expect(try world.count("SELECT max(api_calls)::int AS n FROM wsync.sync_runs") == 3)
        #expect(try healthyJobsSucceeded(world) == 2)
    }

    @Test func resetsThatNeverStopFailTheRunAndScheduleARetry() async throws {
        let world = try await SimulatedWorld.make(repositories: 3, issues: 1)
        defer { Task { [simulator = world.simulator] in await simulator.stop() } }
        let github = try FaultyGitHub(fault: .resetMidBody, faultyPath: Self.faultyPath)
        defer { github.stop() }
        let pass = try await workOnce(world, github: github.baseURL)
        #expect(pass.status == 0, "\(pass.output)")
        let faulty = try job(world, Self.faultyRepository)
        expectRetriedLater(faulty, "reset mid-body")
        #expect(faulty.error?.contains("cannot reach GitHub") == true, "\(faulty)")
        // Nothing of the half-received bodies was stored.
        #expect(try world.count("""
            SELECT count(*)::int AS n FROM issues i JOIN repositories r ON r.id = i.repository_id WHERE r.full_name = \(Self.faultyRepository)
            """) == 0)
        #expect(try healthyJobsSucceeded(world) == 2)
    }

    /// A byte every 0.3 s keeps the idle timeout from ever firing; the whole-request deadline (4 × the timeout)
    /// ends it, and the retry gets the answer.
    @Test func anAnswerTrickledByteByByteHitsTheRequestDeadline() async throws {
        let world = try await SimulatedWorld.make(repositories: 2, issues: 1)
        defer { Task { [simulator = world.simulator] in await simulator.stop() } }
        let github = try FaultyGitHub(fault: .trickle, faultyPath: Self.faultyPath, times: 1)
        defer { github.stop() }
        let pass = try await workOnce(world, github: github.baseURL)
        #expect(pass.status == 0, "\(pass.output)")
        // Without the deadline the trickle never ends and neither does the worker; with it, not before 4 s.
        #expect(pass.seconds >= 4, "took \(pass.seconds) s: only the 4 s deadline may end the trickle")
        let faulty = try job(world, Self.faultyRepository)
        #expect(faulty.status == "success", "\(faulty)")
        #expect(github.faulted(Self.faultyPath) == 2)
    }

    /// SIGTERM while a slot waits on a socket that never answers (a 30-second timeout): the request is abandoned at
    /// once, the job released as partial (no attempt charged) and the worker exits 0 — not minutes later.
    @Test func sigtermStopsAWorkerWaitingOnAHungSocketAtOnce() async throws {
        let world = try await SimulatedWorld.make(repositories: 1, issues: 1)
        defer { Task { [simulator = world.simulator] in await simulator.stop() } }
        let github = try FaultyGitHub(fault: .hang, faultyPath: Self.faultyPath)
        defer { github.stop() }
        var environment = world.environment
        environment["GITHUB_API_URL"] = github.baseURL.absoluteString
        let worker = try WSyncProcess(["worker", "--rate-limit-reserve", "0", "--github-timeout-seconds", "30"], environment: environment)
        for _ in 0..<200 where github.faulted(Self.faultyPath) == 0 { try await Task.sleep(for: .milliseconds(50)) }
        #expect(github.faulted(Self.faultyPath) == 1)
        let signalled = Date()
        worker.signal(SIGTERM)
        #expect(await worker.exitStatus(timeout: 60) == 0, "\(worker.output)")
        // The request's own timeout is 30 s (and 3 retries): a stop that waited for it would take minutes.
        #expect(Date().timeIntervalSince(signalled) < 25, "the worker took \(Date().timeIntervalSince(signalled)) s to stop")
        let faulty = try job(world, Self.faultyRepository)
        #expect(faulty.status == "partial" && faulty.attempts == 0 && !faulty.leased && faulty.waitSeconds <= 0, "\(faulty)")
        #expect(try world.count("SELECT count(*)::int AS n FROM wsync.sync_runs WHERE status = 'partial'") == 1)
    }
}
