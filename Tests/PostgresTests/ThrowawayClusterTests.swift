import Foundation
import Postgres
import Testing

@Suite(.serialized) struct ThrowawayClusterTests {
    @Test func stopLeavesNoServerOrDirectory() throws {
        let cluster = try ThrowawayCluster(prefix: "wsync-test-stop")
        let pid = try #require(cluster.serverPID)
        #expect(kill(pid, 0) == 0)
        #expect(try Connection(cluster.configuration()).query("SELECT 1 AS one").count == 1)
        cluster.stop()
        #expect(!FileManager.default.fileExists(atPath: cluster.directory))
        #expect(waitUntil(seconds: 10) { kill(pid, 0) != 0 })
    }

    @Test func watchdogCleansUpWhenTheOwnerDies() throws {
        let owner = Process()
        owner.executableURL = URL(fileURLWithPath: "/bin/sleep")
        owner.arguments = ["600"]
        try owner.run()
        let cluster = try ThrowawayCluster(owner: owner.processIdentifier, prefix: "wsync-test-owner")
        let pid = try #require(cluster.serverPID)
        kill(owner.processIdentifier, SIGKILL)
        owner.waitUntilExit()
        #expect(waitUntil(seconds: 20) { kill(pid, 0) != 0 && !FileManager.default.fileExists(atPath: cluster.directory) })
    }

    private func waitUntil(seconds: TimeInterval, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            Thread.sleep(forTimeInterval: 0.2)
        }
        return condition()
    }
}
