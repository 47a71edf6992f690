import Postgres

extension Migration {
    /// What the reliability work records: each run counts the U+0000 characters GitHub sent (PostgreSQL cannot store
    /// them; they are stored as U+FFFD), and each audit entry says how its action ended — an action that failed is
    /// logged as failed, with the error, instead of leaving no trace.
    static let reliability = Migration(version: 8, name: "run NUL counts; audit results and errors", script: """
        ALTER TABLE wsync.sync_runs
            ADD COLUMN IF NOT EXISTS nul_characters_replaced integer NOT NULL DEFAULT 0;
        ALTER TABLE wsync.audit_log
            ADD COLUMN IF NOT EXISTS result text NOT NULL DEFAULT 'succeeded',
            ADD COLUMN IF NOT EXISTS error text;
        DO $$
        BEGIN
            IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'wsync_audit_log_result_check') THEN
                ALTER TABLE wsync.audit_log ADD CONSTRAINT wsync_audit_log_result_check
                    CHECK (result IN ('succeeded', 'partial', 'failed', 'started'));
            END IF;
        END $$;
        """)
}
