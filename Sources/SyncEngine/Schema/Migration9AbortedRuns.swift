import Postgres

extension Migration {
    /// A run that was cut off is recorded as cut off: `aborted` joins the statuses of `wsync.sync_runs`. It is the
    /// status of a run whose worker died (SIGKILL, a lost machine) or whose lease another worker took over. The
    /// worker that notices ends the run: the one that takes the job over, or any worker's heartbeat. A partial index
    /// keeps those heartbeat checks cheap however long the history grows.
    ///
    /// The old CHECK is found by what it checks, not by name: an install from before schema `wsync` named it
    /// `wsync_sync_runs_status_check`.
    static let abortedRuns = Migration(version: 9, name: "sync runs: aborted status, index of running runs", script: """
        DO $$
        DECLARE
            old_check text;
        BEGIN
            FOR old_check IN
                SELECT conname FROM pg_constraint
                WHERE conrelid = 'wsync.sync_runs'::regclass AND contype = 'c'
                  AND pg_get_constraintdef(oid) LIKE '%status%'
            LOOP
                EXECUTE format('ALTER TABLE wsync.sync_runs DROP CONSTRAINT %I', old_check);
            END LOOP;
        END $$;
        ALTER TABLE wsync.sync_runs ADD CONSTRAINT sync_runs_status_check
            CHECK (status IN ('running', 'success', 'partial', 'failed', 'aborted'));
        CREATE INDEX IF NOT EXISTS wsync_sync_runs_running_idx ON wsync.sync_runs (worker_id, job_id) WHERE status = 'running';
        """)
}
