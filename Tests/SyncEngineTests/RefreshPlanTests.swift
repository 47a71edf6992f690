import Foundation
import Postgres
import SyncEngine
import Testing
import TestSupport

/// How the dashboard's refresh is planned: once per connection, and with the indexes that let it read little.
@Suite struct RefreshPlanTests {
    /// The statement binds its options; left to itself PostgreSQL plans such a statement afresh for its first five
    /// runs at least (and for ever when the generic plan's estimate looks worse), which at 100,000 jobs costs more
    /// than some of the panes.
    @Test func theDashboardPlansItsStatementOnce() throws {
        let connection = try SyncSeeding.seededDatabase(.production)
        for _ in 0..<3 { _ = try DashboardSnapshot.fetch(connection) }
        let plans = try #require(try connection.query("""
            SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE '%''status''%'
            """).first)
        #expect(try plans.decode("custom_plans", as: Int.self) == 0)
        #expect(try plans.decode("generic_plans", as: Int.self) == 3)
    }

    /// Parallel workers, JIT compilation and memoized lookups each cost a refresh more to start than they save it.
    @Test func theDashboardsSessionPlansWithoutWhatCostsMoreToStartThanItSaves() throws {
        let connection = try SyncSeeding.seededDatabase(.production)
        _ = try DashboardSnapshot.fetch(connection)
        for (setting, value) in [("max_parallel_workers_per_gather", "0"), ("jit", "off"), ("enable_memoize", "off")] {
            #expect(try connection.query("SELECT current_setting(\(setting)) AS value")[0].decode("value", as: String.self) == value, "\(setting)")
        }
    }

    /// The due rows being synced (status pane) and the expired leases (stuck pane) come from the leases of active
    /// jobs, read from their index alone rather than from every leased row on the heap.
    @Test(arguments: DatabaseShape.allCases) func leasesOfActiveJobsAreReadFromTheirIndexAlone(shape: DatabaseShape) throws {
        let connection = try SyncSeeding.seededDatabase(shape)
        try connection.executeScript("VACUUM ANALYZE workspace_tracked_repositories")
        // Tiny tables are scanned whole whatever the indexes; what matters here is that an index answers alone.
        try connection.executeScript("SET enable_seqscan = off; SET enable_bitmapscan = off")
        for query in [SyncStatus.query, StuckSync.query(olderThan: .hours(2), limit: 50, includeExpiredLeases: true)] {
            let plan: String = try connection.query("EXPLAIN (FORMAT JSON) SELECT (\(query))")[0].decode(0)
            let nodes = Self.nodes(of: try JSONSerialization.jsonObject(with: Data(plan.utf8)))
            #expect(nodes.contains { $0["Node Type"] as? String == "Index Only Scan" && $0["Index Name"] as? String == "wsync_wtr_active_lease_idx" },
                    "the plan reads the active leases some other way")
        }
    }

    /// Every plan node of an EXPLAIN (FORMAT JSON) answer.
    private static func nodes(of json: Any) -> [[String: Any]] {
        switch json {
        case let list as [Any]: return list.flatMap(nodes(of:))
        case let object as [String: Any]:
            let own = object["Node Type"] != nil ? [object] : []
            return own + object.values.flatMap(nodes(of:))
        default: return []
        }
    }
}
