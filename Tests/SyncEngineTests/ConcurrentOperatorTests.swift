import Foundation
import Postgres
import SyncEngine
import Testing
import TestSupport

/// Two (and more) operators at once on one database, each on a connection and thread of its own, as two terminals
/// or a terminal and a dashboard are: concurrent resets, stop-all racing resume, undo racing undo and an undo of
/// rows a sync changed meanwhile. The end state must be one the actions could have produced one after another, and
/// the audit log must say what each really did.
@Suite(.serialized) struct ConcurrentOperatorTests {
    private struct World: Sendable {
        let database: TestDatabase
        let jobs: [UUID]

        func connect(_ name: String) throws -> Connection {
            var configuration = database.configuration
            configuration.applicationName = name
            return try Connection(configuration)
        }
    }

    /// `count` failed jobs with attempts, errors and retry times of their own.
    private func makeWorld(_ shape: DatabaseShape, jobs count: Int = 20) throws -> World {
        let database = try TestDatabase.create(shape: shape)
        let connection = try database.connect()
        let workspace = try SyncSeeding.workspace(connection)
        var jobs: [UUID] = []
        for index in 0..<count {
            jobs.append(try SyncSeeding.track(connection, githubID: Int64(50_000 + index), fullName: "ops/repo-\(index)", workspace: workspace))
        }
        try connection.execute("""
            UPDATE workspace_tracked_repositories SET last_sync_status = 'failed', sync_attempts = 1 + (abs(hashtext(id::text)) % 7),
                last_sync_error = 'GitHub server error 502 after retries',
                next_sync_at = now() + (abs(hashtext(id::text)) % 100) * interval '1 minute'
            """)
        return World(database: database, jobs: jobs)
    }

    /// Runs the bodies on threads of their own, released together; returns their results in order.
    private func concurrently<T: Sendable>(_ bodies: [@Sendable () -> T]) -> [T] {
        let gate = DispatchGroup()
        gate.enter()
        let results = Results<T>(count: bodies.count)
        let done = DispatchGroup()
        for (index, body) in bodies.enumerated() {
            done.enter()
            Thread.detachNewThread {
                gate.wait()
                results.set(index, body())
                done.leave()
            }
        }
        gate.leave()
        done.wait()
        return results.all
    }

    /// An operation's outcome or the error's one line, for the threads to hand back.
    private enum Outcome: Sendable {
        case done(ActionOutcome)
        case refused(String)

        var action: ActionOutcome? { if case .done(let outcome) = self { outcome } else { nil } }
    }

    private static func attempt(_ world: World, actor: String, _ body: @escaping (Operations) throws -> ActionOutcome) -> Outcome {
        do {
            return .done(try body(Operations(connection: try world.connect(actor), actor: actor)))
        } catch {
            return .refused("\(error)")
        }
    }

    private struct RetryState: Equatable {
        var attempts: Int
        var next: Date?
        var error: String?
    }

    private func retryStates(_ connection: Connection) throws -> [UUID: RetryState] {
        var states: [UUID: RetryState] = [:]
        for row in try connection.query("SELECT id, sync_attempts, next_sync_at, last_sync_error FROM workspace_tracked_repositories") {
            states[try row.decode("id")] = RetryState(attempts: try row.decode("sync_attempts"), next: try row.decode("next_sync_at"),
                                                      error: try row.decode("last_sync_error"))
        }
        return states
    }

    /// Four operators reset the same failed rows at the same moment, ten times over, the rows failing again between
    /// rounds. The resets take turns: in each round one resets every row and the other three find nothing left to
    /// reset, and say so in the audit log (not undoable). Each winner's "before" is exactly the round's failed rows,
    /// so undoing the last one brings them back.
    @Test(arguments: DatabaseShape.allCases) func concurrentResetsTakeTurnsAndTheAuditLogSaysWhatEachDid(shape: DatabaseShape) throws {
        let world = try makeWorld(shape)
        let connection = try world.connect("checker")
        var failedAgain: [UUID: RetryState] = [:]
        var winner: Int64?
        for round in 0..<10 {
            try connection.execute("""
                UPDATE workspace_tracked_repositories SET last_sync_status = 'failed', sync_attempts = \(round + 1),
                    last_sync_error = \("GitHub server error 502, round \(round)"), next_sync_at = now() + interval '1 hour'
                """)
            failedAgain = try retryStates(connection)
            let outcomes = concurrently((0..<4).map { index in
                { Self.attempt(world, actor: "op-\(round)-\(index)") { try $0.reset(.allFailed) } }
            })
            let actions = try outcomes.map { try #require($0.action, "a reset was refused: \($0)") }
            #expect(actions.map(\.affectedRows).sorted() == [0, 0, 0, world.jobs.count], "round \(round)")
            let entries = try AuditLog.entries(connection, limit: 4, action: .reset)
            #expect(entries.map(\.affectedRows).sorted() == [0, 0, 0, world.jobs.count])
            // Only the reset that changed rows can be undone, and it is the first of the round to have run.
            #expect(entries.filter(\.isUndoable).map(\.affectedRows) == [world.jobs.count])
            #expect(entries.filter(\.isUndoable).map(\.id) == [entries.map(\.id).min()])
            winner = actions.first { $0.affectedRows == world.jobs.count }?.actionId
        }
        let undo = try Operations(connection: connection, actor: "undoer").undo(actionID: try #require(winner))
        #expect(undo.affectedRows == world.jobs.count && undo.skipped.isEmpty, "undo: \(undo.summary)")
        #expect(try retryStates(connection) == failedAgain)
    }

    /// The pause switch's row held by a third session while a new stop-all B and a resume (of stop-all A) both run:
    /// a stop-all in effect must mean syncing is paused. Before operator actions took turns, the resume decided that
    /// no other stop was in effect (B had not committed), then, once B had set the switch and committed, cleared it:
    /// B in effect, its jobs inactive, and A's jobs syncing.
    @Test(arguments: DatabaseShape.allCases)
    func aResumeAndAStopAllAtOnceNeverLeaveAStopInEffectWithSyncingRunning(shape: DatabaseShape) throws {
        let world = try makeWorld(shape, jobs: 6)
        let checker = try world.connect("checker")
        for round in 0..<12 {
            _ = try Operations(connection: checker, actor: "setup").stopAll(reason: "A, round \(round)")
            let holder = try world.connect("holder")
            try holder.execute("BEGIN")
            try holder.execute("SELECT * FROM wsync.pause FOR UPDATE")
            // B first: it waits at the switch with its stop recorded but not committed; the resume then finds no
            // other stop in effect and waits at the switch behind it.
            let stop = Thread.spawn { Self.attempt(world, actor: "stopper") { try $0.stopAll(reason: "B, round \(round)") } }
            try waitUntilBlocked("stopper", checker)
            let resume = Thread.spawn { Self.attempt(world, actor: "resumer") { try $0.resume() } }
            try waitUntilBlocked("resumer", checker)
            try holder.execute("COMMIT")
            let (resumed, stopped) = (resume.value, stop.value)
            #expect(resumed.action != nil, "round \(round): resume refused: \(resumed)")
            #expect(stopped.action != nil, "round \(round): stop-all refused: \(stopped)")
            try expectConsistent(checker, "round \(round)")
            // Clear every stop before the next round.
            while (try? Operations(connection: checker, actor: "cleanup").resume()) != nil {}
            try expectConsistent(checker, "round \(round), cleared")
            #expect(try checker.query("SELECT count(*)::int AS n FROM workspace_tracked_repositories WHERE NOT is_active")[0]
                .decode("n", as: Int.self) == 0)
        }
    }

    /// Random stop-alls, resumes, resets and undos from four operators at once, many rounds: the same invariants.
    @Test(arguments: DatabaseShape.allCases) func manyOperatorsAtRandomKeepThePauseAndTheLogTruthful(shape: DatabaseShape) throws {
        let world = try makeWorld(shape, jobs: 10)
        let checker = try world.connect("checker")
        var generator = SystemRandomNumberGenerator()
        for round in 0..<25 {
            let kinds = (0..<4).map { _ in Int.random(in: 0..<4, using: &generator) }
            _ = concurrently(kinds.enumerated().map { index, kind in
                { () -> Outcome in
                    Self.attempt(world, actor: "op-\(round)-\(index)") { operations in
                        switch kind {
                        case 0: return try operations.stopAll(reason: "round \(round)")
                        case 1: return try operations.resume()
                        case 2: return try operations.reset(.allFailed)
                        default:
                            let latest = try operations.connection.query("""
                                SELECT max(id) AS id FROM wsync.audit_log WHERE undoable AND undone_at IS NULL
                                """)[0].decode("id", as: Int64?.self)
                            guard let latest else { throw WSyncError.refused("nothing to undo") }
                            return try operations.undo(actionID: latest)
                        }
                    }
                }
            })
            try expectConsistent(checker, "round \(round)")
        }
    }

    /// An undo of a reset while a sync (here: a session standing in for a worker's bookkeeping) holds half of its
    /// rows and changes them: the undo waits for those rows, finds them changed, restores only the others, and says
    /// so; a second undo, and concurrent undos, are refused, each logged as a failed attempt.
    @Test(arguments: DatabaseShape.allCases) func anUndoOfRowsChangedSinceRestoresOnlyTheOthersAndSaysSo(shape: DatabaseShape) throws {
        let world = try makeWorld(shape, jobs: 10)
        let checker = try world.connect("checker")
        let original = try retryStates(checker)
        let reset = try Operations(connection: checker, actor: "resetter").reset(.allFailed)
        let resetID = try #require(reset.actionId)
        let changed = Array(world.jobs.sorted { $0.uuidString < $1.uuidString }.prefix(5))
        let writer = try world.connect("writer")
        try writer.execute("BEGIN")
        try writer.execute("""
            UPDATE workspace_tracked_repositories SET sync_attempts = 1, last_sync_error = 'synced meanwhile', next_sync_at = now() + interval '5 minutes'
            WHERE id = ANY(\(changed)::uuid[])
            """)
        let undoers = (0..<3).map { index in
            Thread.spawn { Self.attempt(world, actor: "undoer-\(index)") { try $0.undo(actionID: resetID) } }
        }
        try waitUntilBlocked("undoer-", checker)
        try writer.execute("COMMIT")
        let outcomes = undoers.map(\.value)
        let done = outcomes.compactMap(\.action)
        #expect(done.count == 1, "exactly one undo may succeed: \(outcomes)")
        #expect(outcomes.filter { if case .refused(let text) = $0 { text.contains("already undone") } else { false } }.count == 2,
                "\(outcomes)")
        let undo = try #require(done.first)
        #expect(undo.affectedRows == 5 && undo.skipped.count == 5, "\(undo.summary)")
        #expect(undo.summary.contains("left 5 changed since alone"))
        let now = try retryStates(checker)
        for job in world.jobs {
            if changed.contains(job) {
                #expect(now[job]?.error == "synced meanwhile", "the undo overwrote a row changed since")
            } else {
                #expect(now[job] == original[job], "the undo did not restore an unchanged row")
            }
        }
        // One undo did it; the two refused are in the log as failed attempts, with why.
        let undos = try checker.query("""
            SELECT result, count(*)::int AS n, bool_and(result <> 'failed' OR error LIKE '%already undone%') AS said
            FROM wsync.audit_log WHERE action = 'undo' GROUP BY result ORDER BY result
            """).map { (try $0.decode("result", as: String.self), try $0.decode("n", as: Int.self), try $0.decode("said", as: Bool.self)) }
        #expect(undos.map(\.0) == ["failed", "succeeded"] && undos.map(\.1) == [2, 1] && undos.allSatisfy(\.2), "\(undos)")
        let entry = try #require(try AuditLog.entry(checker, id: resetID))
        #expect(entry.undoneAt != nil && entry.undoActionId == undo.actionId && !entry.isUndoable)
    }

    /// Waits until a session whose application name starts with `name` waits on a lock (so the interleaving a test
    /// sets up is really in place).
    private func waitUntilBlocked(_ name: String, _ checker: Connection) throws {
        for _ in 0..<400 {
            let waiting = try checker.query("""
                SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name LIKE \(name + "%") AND wait_event_type = 'Lock'
                """)[0].decode("n", as: Int.self)
            if waiting > 0 { return }
            Thread.sleep(forTimeInterval: 0.01)
        }
        Issue.record("\(name) never waited on a lock")
    }

    /// The invariants of pausing actions and the log: the switch is on exactly when a stop-all (or rollback) is in
    /// effect, and then names one in effect; the jobs a stop in effect recorded are inactive; every undo names the
    /// action it undid, which names it back; each entry's count is the number of rows it recorded.
    private func expectConsistent(_ connection: Connection, _ when: String) throws {
        let row = try connection.query("""
            SELECT p.is_paused,
                   EXISTS (SELECT 1 FROM wsync.audit_log WHERE action IN ('stop-all', 'rollback') AND undoable AND undone_at IS NULL)
                       AS stop_in_effect,
                   p.action_id IS NULL OR EXISTS (SELECT 1 FROM wsync.audit_log a WHERE a.id = p.action_id AND a.undoable
                                                 AND a.undone_at IS NULL) AS names_one_in_effect,
                   (SELECT count(*) FROM wsync.audit_log a, jsonb_array_elements(a.previous_state->'rows') e
                    JOIN workspace_tracked_repositories w ON w.id = (e->>'id')::uuid
                    WHERE a.action = 'stop-all' AND a.undoable AND a.undone_at IS NULL AND w.is_active)::int AS active_under_stop,
                   (SELECT count(*) FROM wsync.audit_log u LEFT JOIN wsync.audit_log a ON a.id = u.undoes_action_id
                    WHERE u.undoes_action_id IS NOT NULL AND (a.undo_action_id IS DISTINCT FROM u.id OR a.undone_at IS NULL))::int
                       AS unmatched_undos,
                   (SELECT count(*) FROM wsync.audit_log a WHERE a.previous_state IS NOT NULL
                    AND a.affected_rows <> jsonb_array_length(a.previous_state->'rows'))::int AS miscounted
            FROM wsync.pause p
            """)[0]
        let paused = try row.decode("is_paused", as: Bool.self), inEffect = try row.decode("stop_in_effect", as: Bool.self)
        #expect(paused == inEffect, "\(when): pause switch \(paused ? "on" : "off") but a stop-all in effect: \(inEffect)")
        #expect(try row.decode("names_one_in_effect", as: Bool.self), "\(when): the pause names an action no longer in effect")
        #expect(try row.decode("active_under_stop", as: Int.self) == 0, "\(when): jobs a stop-all in effect stopped are active")
        #expect(try row.decode("unmatched_undos", as: Int.self) == 0, "\(when): an undo and its action disagree")
        #expect(try row.decode("miscounted", as: Int.self) == 0, "\(when): an entry's count differs from the rows it recorded")
    }
}

/// Results written by several threads, read after they are done.
private final class Results<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [T?]
    init(count: Int) { values = Array(repeating: nil, count: count) }
    func set(_ index: Int, _ value: T) { lock.withLock { values[index] = value } }
    var all: [T] { lock.withLock { values.map { $0! } } }
}

/// A thread whose result can be waited for.
final class SpawnedThread<T: Sendable>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var result: T?

    fileprivate init(_ body: @escaping @Sendable () -> T) {
        Thread.detachNewThread { [self] in
            result = body()
            done.signal()
        }
    }

    var value: T {
        done.wait()
        done.signal()
        return result!
    }
}

extension Thread {
    static func spawn<T: Sendable>(_ body: @escaping @Sendable () -> T) -> SpawnedThread<T> { SpawnedThread(body) }
}
