import Postgres

extension Migration {
    /// What on-call needs to tell a live worker from a dead or hung one, and why due jobs are not claimed: each
    /// worker's version, the slots it has busy, when it last made progress, and the rate-limit reserve it keeps.
    static let workerLiveness = Migration(version: 5, name: "worker heartbeats: version, current jobs, progress, reserve", script: """
        ALTER TABLE wsync.workers
            ADD COLUMN IF NOT EXISTS version text NOT NULL DEFAULT '',
            ADD COLUMN IF NOT EXISTS current_jobs integer NOT NULL DEFAULT 0,
            ADD COLUMN IF NOT EXISTS last_progress_at timestamptz NOT NULL DEFAULT now(),
            ADD COLUMN IF NOT EXISTS rate_limit_reserve integer NOT NULL DEFAULT 0;
        CREATE INDEX IF NOT EXISTS wsync_workers_heartbeat_idx ON wsync.workers (heartbeat_at);
        """)
}
