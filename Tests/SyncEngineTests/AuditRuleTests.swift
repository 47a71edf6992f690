import Foundation
import Postgres
import SyncEngine
import Testing
import TestSupport

/// The audit log's own rules, decided where an action is recorded, so both faces show the same thing.
@Suite struct AuditRuleTests {
    @Test func aChangeOfNoRowsOffersNoUndoAndAnUndoneActionNoMore() throws {
        let connection = try SyncSeeding.seededDatabase(.fresh)
        let operations = Operations(connection: connection, actor: "tester")
        _ = try operations.setFrequency(tier: .pro, hours: 12)
        let nothing = try operations.setFrequency(tier: .pro, hours: 12)
        #expect(nothing.affectedRows == 0 && !nothing.undoable)
        let nothingID = try #require(nothing.actionId)
        #expect(try AuditLog.entry(connection, id: nothingID)?.undoable == false)

        let slowed = try operations.slowDown()
        #expect(slowed.undoable)
        let slowedID = try #require(slowed.actionId)
        _ = try operations.undo(actionID: slowedID)
        let entry = try #require(try AuditLog.entry(connection, id: slowedID))
        #expect(!entry.undoable && !entry.isUndoable && entry.undoneAt != nil)
    }

    @Test func anUndoRefusedForGoodIsNoLongerUndoable() throws {
        let connection = try SyncSeeding.seededDatabase(.fresh)
        let operations = Operations(connection: connection, actor: "tester")
        let paused = try operations.pauseTier(.pro, limit: 1)
        try connection.execute("DELETE FROM workspace_tracked_repositories WHERE id = ANY(\(paused.jobIds)::uuid[])")
        let refused = #expect(throws: WSyncError.self) { try operations.undo(actionID: try #require(paused.actionId)) }
        #expect(refused?.kind == .refused)
        #expect(try AuditLog.entry(connection, id: try #require(paused.actionId))?.isUndoable == false)
    }

    @Test func everyActionIsAnnouncedWithItsOwnTransaction() throws {
        let database = try TestDatabase.create()
        let connection = try database.connect()
        try SyncSeeding.demo(connection)
        let listener = try database.connect()
        try listener.listen(EventChannel.name)
        let stop = try Operations(connection: connection, actor: "tester").stopAll(reason: "drill")
        let notification = try #require(try listener.waitForNotification(timeout: 10))
        let payload = try JSONSerialization.jsonObject(with: Data(notification.payload.utf8)) as? [String: Any]
        #expect(payload?["event"] as? String == "action" && payload?["action"] as? String == "stop-all")
        #expect((payload?["id"] as? NSNumber)?.int64Value == stop.actionId)

        // A change that rolls back announces nothing.
        struct Abandon: Error {}
        _ = try? connection.transaction { c in
            try AuditLog.record(c, actor: "tester", action: .cleanup, summary: "abandoned", affectedRows: 0)
            throw Abandon()
        }
        #expect(try listener.waitForNotification(timeout: 1) == nil)
    }
}
