import Postgres

extension Migration {
    /// Nothing of wsync's is reachable through Supabase's public API: PostgREST switches to `anon` (the public key)
    /// or `authenticated` (anyone who signs up), and Supabase grants both every new table in `public`. wsync's own
    /// tables live in schema `wsync`, which neither may use; the one table wsync adds to `public`, the metrics
    /// archive, gets row-level security with no policy and loses those grants. Also: the run history counts what
    /// the database's constraints refused.
    static let publicAPIAccess = Migration(version: 4, name: "wsync out of reach of the public API; refused items counted", script: """
        ALTER TABLE wsync.sync_runs
            ADD COLUMN IF NOT EXISTS authors_skipped integer NOT NULL DEFAULT 0,
            ADD COLUMN IF NOT EXISTS issues_skipped integer NOT NULL DEFAULT 0;

        REVOKE ALL ON SCHEMA wsync FROM PUBLIC;
        REVOKE ALL ON ALL TABLES IN SCHEMA wsync FROM PUBLIC;
        REVOKE ALL ON ALL SEQUENCES IN SCHEMA wsync FROM PUBLIC;
        ALTER TABLE daily_activity_metrics_archive ENABLE ROW LEVEL SECURITY;
        DO $$
        DECLARE
            api_role text;
        BEGIN
            FOREACH api_role IN ARRAY ARRAY['anon', 'authenticated']
            LOOP
                IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = api_role) THEN
                    EXECUTE format('REVOKE ALL ON SCHEMA wsync FROM %I', api_role);
                    EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA wsync FROM %I', api_role);
                    EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA wsync FROM %I', api_role);
                    EXECUTE format('REVOKE ALL ON TABLE daily_activity_metrics_archive FROM %I', api_role);
                END IF;
            END LOOP;
        END $$;
        """)
}
