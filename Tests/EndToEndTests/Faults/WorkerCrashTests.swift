import Foundation
import GitHubSimulator
import Postgres
import SyncEngine
import Testing
import TestSupport

/// SIGKILL of a real `wsync worker` in the middle of a multi-page sync, twice in a row: the first victim's job is
/// taken over once its short lease expires (by a worker that would wait ten minutes to call anyone dead), the
/// second's once its heartbeat stops (its lease had ten minutes left). Issues edited on GitHub while the victims
/// were syncing must arrive; nothing may be stored twice; the history must say which runs were cut off.
@Suite(.serialized) struct WorkerCrashTests {
    static let issues = 450

    private func storedIssues(_ world: SimulatedWorld) throws -> Int {
        try world.count("SELECT count(*)::integer AS n FROM issues")
    }

    /// Waits until at least `count` issues are stored (the victim is between pages), up to 30 s.
    private func waitForStored(_ world: SimulatedWorld, atLeast count: Int) async throws {
        for _ in 0..<600 where try storedIssues(world) < count {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(try storedIssues(world) >= count, "the worker never stored \(count) issues")
    }

    @Test func twoWorkersKilledMidSyncLoseNothingAndTheirRunsReadAborted() async throws {
        let world = try await SimulatedWorld.make(repositories: 1, issues: Self.issues)
        defer { Task { [simulator = world.simulator] in await simulator.stop() } }
        let repository = "e2e/repo-0"
        // Five pages at 400 ms each: seconds of "in the middle" to kill in.
        try await world.simulator.setScenario(.slow(delay: .milliseconds(400)), for: repository)

        // Victim 1: a 3-second lease, renewed every second while it lives.
        let first = try WSyncProcess(
            ["worker", "--rate-limit-reserve", "0", "--lease-seconds", "3", "--heartbeat-seconds", "1", "--dead-after-seconds", "600"],
            environment: world.environment)
        try await waitForStored(world, atLeast: 100)
        // An issue already stored changes on GitHub while the sync runs: the next holder must bring the change.
        let editedEarly = try await world.simulator.editIssue(in: repository, number: 1) { $0.title = "edited while victim 1 synced" }
        first.signal(SIGKILL)
        #expect(await first.exitStatus(timeout: 10) != nil)
        let firstKilledAt = Date()

        // Victim 2 calls no one dead for ten minutes: only the expired lease lets it in.
        let second = try WSyncProcess(
            ["worker", "--rate-limit-reserve", "0", "--lease-seconds", "600", "--heartbeat-seconds", "1", "--dead-after-seconds", "600",
             "--poll-seconds", "1"],
            environment: world.environment)
        let takeover: SQL = "SELECT count(*)::integer AS n FROM wsync.sync_runs"
        for _ in 0..<300 where try world.count(takeover) < 2 { try await Task.sleep(for: .milliseconds(50)) }
        #expect(try world.count(takeover) == 2, "victim 2 never took the job over")
        let tookOverAfter = Date().timeIntervalSince(firstKilledAt)
        #expect(tookOverAfter >= 1.5, "the job was taken over \(tookOverAfter) s after the kill, before the 3 s lease could expire")
        let storedBefore = try storedIssues(world)
        try await waitForStored(world, atLeast: min(Self.issues, storedBefore + 100))
        try await world.simulator.addIssues(to: repository, count: 3)
        let editedLate = try await world.simulator.editIssue(in: repository, number: 2) { $0.close(at: Date()) }
        second.signal(SIGKILL)
        #expect(await second.exitStatus(timeout: 10) != nil)
        try await world.simulator.setScenario(nil, for: repository)

        // The rescuer takes over once victim 2's heartbeat is 3 s old (its lease has ten minutes left).
        let rescuer = try WSyncProcess(
            ["worker", "--rate-limit-reserve", "0", "--heartbeat-seconds", "1", "--dead-after-seconds", "3", "--poll-seconds", "1"],
            environment: world.environment)
        let succeeded: SQL = "SELECT count(*)::integer AS n FROM workspace_tracked_repositories WHERE last_sync_status = 'success'"
        for _ in 0..<400 where try world.count(succeeded) == 0 { try await Task.sleep(for: .milliseconds(100)) }
        rescuer.signal(SIGTERM)
        #expect(await rescuer.exitStatus() == 0, "\(rescuer.output)")

        let history = try world.connection.query("SELECT status, error, worker_id FROM wsync.sync_runs ORDER BY id")
        let statuses = try history.map { try $0.decode("status", as: String.self) }
        #expect(statuses == ["aborted", "aborted", "success"], "\(statuses)")
        let errors = try history.map { try $0.decode("error", as: String?.self) ?? "" }
        #expect(errors[0].contains("lease expired"), "the first takeover should say the lease expired: \(errors[0])")
        #expect(errors.count > 1 && errors[1].hasPrefix("aborted:") && errors[1].contains("stopped"), "\(errors)")
        #expect(Set(try history.map { try $0.decode("worker_id", as: String.self) }).count == 3, "each run should be another worker's")

        // Everything GitHub has, exactly once, as GitHub has it now.
        let served = try #require(await world.simulator.repository(repository)).issues
        #expect(served.count == Self.issues + 3)
        let rows = try world.connection.query("SELECT github_id, title, state, updated_at FROM issues")
        #expect(rows.count == served.count, "\(rows.count) rows for \(served.count) issues")
        #expect(try world.count("SELECT (count(*) - count(DISTINCT github_id))::integer AS n FROM issues") == 0)
        var stored: [Int64: (title: String, state: String, updated: Date)] = [:]
        for row in rows {
            stored[try row.decode("github_id")] = (try row.decode("title"), try row.decode("state"), try row.decode("updated_at"))
        }
        let stale = served.filter { issue in
            guard let row = stored[issue.id] else { return true }
            return row.title != issue.title || row.state != issue.state.rawValue
                || abs(row.updated.timeIntervalSince(issue.updatedAt)) >= 1
        }
        #expect(stale.isEmpty, "issues missing or stale: \(stale.prefix(5).map { "#\($0.number) \($0.title)" })")
        #expect(stored[editedEarly.id]?.title == "edited while victim 1 synced")
        #expect(stored[editedLate.id]?.state == "closed")
        #expect(try world.count("""
            SELECT count(*)::integer AS n FROM workspace_tracked_repositories WHERE lease_owner IS NULL AND last_sync_status = 'success'
            """) == 1)
    }

    /// A worker killed before its first heartbeat beat is noticed by the heartbeat of any other worker, even one
    /// that never takes the job over (the job is paused for it): the run does not stay `running`.
    @Test func aDeadWorkersOpenRunIsEndedByAnotherWorkersHeartbeat() async throws {
        let world = try await SimulatedWorld.make(repositories: 1, issues: Self.issues)
        defer { Task { [simulator = world.simulator] in await simulator.stop() } }
        try await world.simulator.setScenario(.slow(delay: .milliseconds(400)), for: "e2e/repo-0")
        let victim = try WSyncProcess(["worker", "--rate-limit-reserve", "0", "--lease-seconds", "600"], environment: world.environment)
        try await waitForStored(world, atLeast: 100)
        victim.signal(SIGKILL)
        _ = await victim.exitStatus(timeout: 10)
        // Nothing may be claimed: only the heartbeat's sweep can end the run.
        _ = try world.connection.execute("UPDATE workspace_tracked_repositories SET is_active = false")
        let witness = try WSyncProcess(
            ["worker", "--rate-limit-reserve", "0", "--heartbeat-seconds", "1", "--dead-after-seconds", "2", "--poll-seconds", "1"],
            environment: world.environment)
        let running: SQL = "SELECT count(*)::integer AS n FROM wsync.sync_runs WHERE status = 'running'"
        for _ in 0..<200 where try world.count(running) > 0 { try await Task.sleep(for: .milliseconds(50)) }
        witness.signal(SIGTERM)
        #expect(await witness.exitStatus() == 0, "\(witness.output)")
        let run = try world.connection.query("SELECT status, error, finished_at IS NOT NULL AS ended FROM wsync.sync_runs")
        #expect(run.count == 1)
        #expect(try run.first?.decode("status", as: String.self) == "aborted")
        #expect(try run.first?.decode("ended", as: Bool.self) == true)
        #expect(try run.first?.decode("error", as: String?.self)?.contains("stopped responding") == true)
    }
}
