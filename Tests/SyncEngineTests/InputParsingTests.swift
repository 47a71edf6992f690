import Foundation
import SyncEngine
import Testing

/// User input parsed before any database work.
@Suite struct InputParsingTests {
    @Test(arguments: [("90s", 90), ("30m", 1800), ("2h", 7200), ("7d", 604_800), ("1w", 604_800), (" 3H ", 10_800)])
    func timeSpansParse(text: String, seconds: Int) {
        #expect(TimeSpan(parsing: text)?.seconds == seconds)
    }

    @Test(arguments: ["", "h", "2", "-1h", "0h", "2x", "1.5h", "99999999999d"])
    func malformedTimeSpansAreRejected(text: String) {
        #expect(TimeSpan(parsing: text) == nil)
    }

    @Test func timeSpansPrintInTheLargestWholeUnit() {
        #expect(TimeSpan.hours(2).description == "2h")
        #expect(TimeSpan(seconds: 86_400 * 3).description == "3d")
        #expect(TimeSpan(seconds: 61).description == "61s")
    }

    @Test func selectorsFromCommandLineFlags() throws {
        let id = UUID()
        #expect(try JobSelector(workspace: nil, repository: nil, allFailed: true) == .allFailed)
        #expect(try JobSelector(workspace: id.uuidString, repository: nil, allFailed: false) == .workspace(id))
        #expect(try JobSelector(workspace: id.uuidString.lowercased(), repository: "o/r", allFailed: false)
                == .workspaceRepository(workspace: id, repository: "o/r"))
        for (workspace, repository, allFailed, message) in [
            (id.uuidString, nil, true, "cannot be combined"),
            (nil, "o/r", false, "--repo needs --workspace"),
            (nil, nil, false, "say which syncs"),
            ("123", nil, false, "is not a UUID"),
            (id.uuidString, "o/r/x", false, "is not OWNER/NAME"),
            (id.uuidString, "/r", false, "is not OWNER/NAME"),
        ] as [(String?, String?, Bool, String)] {
            let error = #expect(throws: WSyncError.self) { try JobSelector(workspace: workspace, repository: repository, allFailed: allFailed) }
            #expect(error?.message.contains(message) == true, "\(String(describing: error))")
        }
    }

    @Test func tiersAndLimits() throws {
        #expect(throws: Never.self) { try JobLimits.validateFrequency(1); try JobLimits.validateFrequency(168) }
        #expect(throws: Never.self) { try JobLimits.validateRetention(7); try JobLimits.validateRetention(365) }
    }
}
