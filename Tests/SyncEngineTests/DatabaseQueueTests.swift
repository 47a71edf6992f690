import Foundation
import Postgres
import SyncEngine
import Testing
import TestSupport

/// The worker's connections outlive a PostgreSQL restart: heartbeats and rate-limit records resume by themselves.
@Suite struct DatabaseQueueTests {
    @Test func aRestartedServerIsReconnectedOnTheNextCall() async throws {
        // A cluster of its own: restarting the shared one would break the other tests.
        let cluster = try await offPool { try ThrowawayCluster(prefix: "wsync-test-reconnect") }
        defer { cluster.stop() }
        let queue = try await DatabaseQueue.connect(cluster.configuration())
        let pid: @Sendable (Connection) throws -> Int = { try $0.query("SELECT pg_backend_pid() AS pid")[0].decode("pid") }
        let before = try await queue.run(pid)

        try await offPool { try cluster.stopServer(); try cluster.startServer() }
        // The first call may meet the broken connection; from then on the queue works on a new one.
        _ = try? await queue.run(pid)
        let after = try await queue.run(pid)
        #expect(after != before)
        #expect(try await queue.run(pid) == after)
    }
}
