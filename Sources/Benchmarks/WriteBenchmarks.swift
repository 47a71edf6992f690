import Foundation
import Postgres
import SyncEngine

/// wsync's triggers (the dashboard rollup and run buckets) switched off (`DISABLE`) or on again (`ENABLE`), for a
/// baseline without them.
private func switchTriggers(_ verb: SQL) -> SQL {
    """
    DO $$
    DECLARE t record;
    BEGIN
        FOR t IN SELECT tgrelid::regclass AS rel, tgname FROM pg_trigger WHERE tgname LIKE 'wsync\\_%' AND NOT tgisinternal
        LOOP EXECUTE format('ALTER TABLE %s \(verb) TRIGGER %I', t.rel, t.tgname); END LOOP;
    END $$
    """
}

func withoutWsyncTriggers<T>(_ connection: Connection, _ body: () throws -> T) throws -> T {
    try connection.executeScript(switchTriggers("DISABLE"))
    defer { try? connection.executeScript(switchTriggers("ENABLE")) }
    return try body()
}

/// The writes every sync run makes that wsync's triggers fire on, as `RunBookkeeping` makes them: the history row
/// opened, the job row ended (fenced by its lease), the history row ended — in the same statements and transactions.
private func oneRunsWrites(_ connection: Connection, job: UUID) throws {
    let run: Int64 = try connection.query("""
        INSERT INTO wsync.sync_runs (job_id, workspace_id, repository_id, worker_id, trigger)
        SELECT id, workspace_id, tracked_repository_id, 'bench', 'schedule' FROM workspace_tracked_repositories WHERE id = \(job)
        RETURNING id
        """)[0].decode("id")
    try connection.execute("UPDATE workspace_tracked_repositories SET lease_owner = 'bench', lease_expires_at = now() + interval '5 minutes' WHERE id = \(job)")
    try connection.transaction { c in
        try c.execute("""
            UPDATE workspace_tracked_repositories
            SET last_sync_at = now(), last_sync_status = 'success', last_sync_error = NULL, sync_attempts = 0,
                total_issues_fetched = coalesce(total_issues_fetched, 0) + 3,
                next_sync_at = now() + make_interval(hours => coalesce(sync_frequency_hours, 24)),
                lease_owner = NULL, lease_expires_at = NULL
            WHERE id = \(job) AND lease_owner = 'bench'
            """)
        try c.execute("""
            UPDATE wsync.sync_runs SET finished_at = now(), duration_ms = 1, api_calls = 1, issues_fetched = 3,
                   issues_stored = 3, status = 'success'
            WHERE id = \(run)
            """)
    }
}

func benchmarkWrites(_ database: BenchDatabase, jobs: Int, judged: Bool, iterations: Int, report: inout Report) throws {
    let connection = try database.connect()
    let sample = try connection.query("SELECT id FROM workspace_tracked_repositories ORDER BY id LIMIT 200").map { try $0.decode("id", as: UUID.self) }
    var next = 0
    let aRun = { () throws in
        try oneRunsWrites(connection, job: sample[next % sample.count])
        next += 1
    }
    // A difference of a fraction of a millisecond between two medians of about two: rounds alternate with and
    // without, so that a change in the machine's load falls on both.
    var withSamples: [Double] = [], withoutSamples: [Double] = []
    for _ in 0..<8 {
        withSamples += try samplesMilliseconds(iterations: iterations, aRun)
        withoutSamples += try withoutWsyncTriggers(connection) { try samplesMilliseconds(iterations: iterations, aRun) }
    }
    let withTriggers = median(withSamples), without = median(withoutSamples)
    let section = "Writes"
    report.add(Figure(section: section, name: "a sync run's writes, with the rollup and bucket triggers", value: withTriggers, unit: "ms",
                      baselineName: "the same writes without them", baseline: without,
                      target: "≤ 0.5 ms extra", met: withTriggers - without <= 0.5,
                      note: String(format: "extra %.3f ms", withTriggers - without)))

    let operations = Operations(connection: connection, actor: "bench")
    let stopAndResume = { () throws -> Double in
        let time = try elapsedMilliseconds { _ = try operations.stopAll(reason: "benchmark") }
        _ = try operations.resume()
        return time
    }
    // Rounds alternate with and without, so that a change in the machine's load falls on both.
    var withRounds: [Double] = [], withoutRounds: [Double] = []
    for _ in 0..<5 {
        withRounds.append(try stopAndResume())
        withoutRounds.append(try withoutWsyncTriggers(connection) { try stopAndResume() })
    }
    let stop = median(withRounds), stopWithout = median(withoutRounds)
    report.add(Figure(section: section, name: "stop-all of \(jobs) jobs, with the triggers", value: stop, unit: "ms",
                      baselineName: "without them (today's)", baseline: stopWithout,
                      target: "≤ 1.2× today's at 100,000 jobs", met: judged ? stop / stopWithout <= 1.2 : nil))
    try connection.executeScript("VACUUM ANALYZE")
}
