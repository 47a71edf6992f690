import Postgres

extension Migration {
    /// The counts of migration 14 kept per quarter hour instead of per hour: a refresh counts the current bucket's
    /// rows from the indexes, and at 1,000,000 jobs the current hour held some 50,000 due rows (11 ms to count).
    static let quarterHourCounts = Migration(version: 15, name: "due and stale counts kept per quarter hour", script: """
        \(JobRollupSQL.jobsChangedFunction(alsoClockCounts: true))
        \(JobClockCountsSQL.rebuild)
        """)
}
