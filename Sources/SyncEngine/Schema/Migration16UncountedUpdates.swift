import Postgres

extension Migration {
    /// The job table's rollup trigger leaves an update alone when it changes no counted column (`JobRollupSQL`): a
    /// lease taken or extended, every page's fence, every heartbeat no longer sums the statement's rows twice over.
    static let uncountedUpdates = Migration(version: 16, name: "updates that change nothing counted skip the rollup", script: """
        \(JobRollupSQL.jobsChangedFunction(alsoClockCounts: true))
        """)
}
