import Postgres

extension Migration {
    /// The dashboard's last 24 hours at a glance: the run buckets keep a day (and an hour to spare) instead of two
    /// hours, and rate-limit readings get buckets of their own, kept by a statement-level trigger on the readings (only
    /// ever inserted; cleanup deletes week-old ones and the buckets past a day). A refresh then reads at most 48
    /// half-hour buckets of each instead of a day of rows.
    static let activityHistory = Migration(version: 11, name: "24-hour run and rate-limit history for the dashboard", script: """
        \(SyncRunBucketSQL.changedFunction())

        CREATE TABLE IF NOT EXISTS wsync.rate_limit_buckets (
            bucket_start timestamptz NOT NULL,
            token_fingerprint text NOT NULL,
            shard smallint NOT NULL,
            limit_total integer NOT NULL,
            min_remaining integer NOT NULL,
            observations bigint NOT NULL DEFAULT 0,
            PRIMARY KEY (bucket_start, token_fingerprint, shard)
        );

        CREATE OR REPLACE FUNCTION wsync.rate_limit_buckets_observed() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $fn$
        BEGIN
            \(RateLimitBucketSQL.add("new_observations"));
            RETURN NULL;
        END $fn$;

        DROP TRIGGER IF EXISTS wsync_rate_limit_buckets_insert ON wsync.rate_limit_observations;
        CREATE TRIGGER wsync_rate_limit_buckets_insert AFTER INSERT ON wsync.rate_limit_observations
            REFERENCING NEW TABLE AS new_observations FOR EACH STATEMENT EXECUTE FUNCTION wsync.rate_limit_buckets_observed();

        REVOKE ALL ON ALL TABLES IN SCHEMA wsync FROM PUBLIC;
        REVOKE ALL ON ALL FUNCTIONS IN SCHEMA wsync FROM PUBLIC;
        \(Migration.forAPIRoles("ARRAY['REVOKE ALL ON ALL TABLES IN SCHEMA wsync FROM %I', 'REVOKE ALL ON ALL FUNCTIONS IN SCHEMA wsync FROM %I']"))

        \(SyncRunBucketSQL.rebuild())
        \(RateLimitBucketSQL.rebuild)
        """)
}
